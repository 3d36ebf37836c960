import { Collector } from "../../correlate/collector.js";
import { pushFacts } from "../../correlate/push-facts.js";
import {
  branchIdentifiers,
  linearIdentifiers,
  pullRequestOfCommit,
  revertedBranchIdentifiers,
  revertOf,
} from "../../correlate/text-references.js";
import type { StoredEvent } from "../../shared/event.js";
import { commitKeyIfSha, issueKey, prKey, scope } from "../../shared/keys.js";
import { text } from "../../shared/bounds.js";
import { storableDate } from "../../shared/time.js";
import { addIncident, hasLabel, issueIncident, labelNames } from "../../correlate/incident-facts.js";
import { readPullRequest, reviewSubmittedAt } from "./pull-request.js";

type Obj = Record<string, any>;

function pullRequestFacts(c: Collector, p: Obj, repo: string, review: boolean) {
  const pr = readPullRequest(p);
  const key = prKey(repo, pr.number);
  c.entity({ key, kind: "github.pr", title: pr.title, state: pr.merged ? "merged" : pr.state, url: pr.url });
  const head = commitKeyIfSha(repo, pr.headSha);
  if (head) c.link(key, head, "pr-head-commit");
  const merge = commitKeyIfSha(repo, pr.mergeCommitSha);
  if (merge) c.link(key, merge, "pr-merge-commit");
  for (const id of branchIdentifiers(pr.headRef)) c.mention(key, "linear_identifier", id, "linear-id-in-branch");
  for (const id of revertedBranchIdentifiers(pr.headRef)) c.mention(key, "linear_identifier", id, "linear-revert");
  for (const id of linearIdentifiers(pr.title)) c.mention(key, "linear_identifier", id, "linear-id-in-title");
  c.description(key, pr.body, repo);
  const revert = revertOf({ title: pr.title, body: pr.body, headRef: pr.headRef }, repo);
  if (revert.body) c.link(key, prKey(revert.body.repo, revert.body.number), "revert-body");
  if (revert.branch) c.link(key, prKey(revert.branch.repo, revert.branch.number), "revert-branch");
  c.facts.pullRequest = {
    key,
    repository: repo,
    number: pr.number,
    title: pr.title ?? "",
    headRef: pr.headRef,
    baseRef: pr.baseRef,
    headSha: pr.headSha,
    mergeCommitSha: pr.mergeCommitSha,
    merged: pr.merged,
    createdAt: storableDate(pr.createdAt),
    mergedAt: storableDate(pr.mergedAt) ?? (pr.merged ? storableDate(pr.closedAt) : null),
    updatedAt: storableDate(pr.updatedAt ?? pr.closedAt ?? pr.createdAt) ?? new Date(0),
    revertsByTitle: revert.title,
    author: pr.author,
    firstReviewAt: review ? storableDate(reviewSubmittedAt(p, pr.author)) : null,
  };
}

/** An issue: its entity, its labels, and an incident when it carries an incident label (docs/incidents.md). */
function issueFacts(c: Collector, issue: Obj, repo: string, at: Date) {
  const key = issueKey(repo, issue.number);
  c.entity({
    key,
    kind: "github.issue",
    title: text(issue.title),
    state: text(issue.state),
    url: text(issue.html_url),
  });
  const labels = labelNames(issue.labels);
  c.facts.issueLabels = { key, labels, at: storableDate(issue.updated_at) ?? at };
  if (hasLabel(labels, c.incidentLabels))
    addIncident(
      c,
      issueIncident(
        {
          number: issue.number,
          title: issue.title,
          body: issue.body,
          closed: issue.state === "closed",
          createdAt: issue.created_at,
          updatedAt: issue.updated_at,
          closedAt: [issue.closed_at],
          url: issue.html_url,
        },
        repo,
        at,
      ),
      key,
    );
}

/** GitHub's facts: PRs, pushes and issues, from the payload and the stored row. */
export function githubFacts(c: Collector, e: StoredEvent) {
  const p = e.payload as Obj;
  const row = e.rows.github!;
  const repo = row.repository;
  if (!repo) return;
  c.facts.scopes.push(scope("repo", repo));
  switch (row.name) {
    case "pull_request":
    case "pull_request_review":
    case "pull_request_review_comment":
    case "pull_request_review_thread":
      pullRequestFacts(c, p, repo, row.name === "pull_request_review");
      break;
    case "push":
      // A forced push or a new branch leaves the first commit's parent unknown.
      pushFacts(c, p, repo, {
        kind: "github.commit",
        beforeIsParent: !p.forced,
        prOf: (message) => {
          const pr = pullRequestOfCommit(message);
          return pr ? prKey(repo, pr.number) : null;
        },
      });
      break;
    case "issues":
      issueFacts(c, p.issue, repo, e.occurredAt);
      break;
  }
}
