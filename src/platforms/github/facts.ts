import { Collector } from "../../correlate/collector.js";
import type { CommitFact } from "../../correlate/facts.js";
import {
  branchIdentifiers,
  linearIdentifiers,
  pullRequestOfCommit,
  revertedBranchIdentifiers,
  revertOf,
} from "../../correlate/text-references.js";
import type { StoredEvent } from "../../shared/event.js";
import { commitKey, commitKeyIfSha, issueKey, prKey, scope } from "../../shared/keys.js";
import { bounded, LIMITS, text } from "../../shared/bounds.js";
import { storableDate } from "../../shared/time.js";
import { readPullRequest, reviewSubmittedAt } from "./pull-request.js";
import { addIncident, hasLabel, labelNames } from "../../correlate/incident-facts.js";
import { githubIssueIncident } from "./incident.js";

type Obj = Record<string, any>;

const ZERO = /^0{40}$/;
const SHA = /^[0-9a-f]{40}$/i;
const firstLine = (s: unknown) => (typeof s === "string" ? s.split("\n")[0]!.slice(0, 200) : null);

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

/**
 * Push ancestry: GitHub lists the commits new to the branch, oldest first, so each one's parent is
 * taken to be the one before it, and the first one's the branch's previous head. For true merges
 * that is not the real parent, but it preserves what ranges need: reachability from `after` down to
 * `before`. A forced push or a new branch leaves the first commit's parent unknown.
 */
function pushFacts(c: Collector, p: Obj, repo: string) {
  const ref = bounded(p.ref, LIMITS.nameBytes);
  const branch = ref?.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null;
  // Only real commit objects with a full SHA: anything else in a push is not GitHub's shape.
  const list: Obj[] = (Array.isArray(p.commits) ? p.commits : []).filter((x: Obj) => SHA.test(text(x?.id) ?? ""));
  const commits: CommitFact[] = [];
  const before = text(p.before);
  let parent: string | null =
    !p.forced && before && SHA.test(before) && !ZERO.test(before) ? before.toLowerCase() : null;
  for (const commit of list) {
    const sha = (commit.id as string).toLowerCase();
    const message = text(commit.message);
    commits.push({ sha, parents: parent ? [parent] : [], message, authoredAt: storableDate(commit.timestamp) });
    c.entity({ key: commitKey(repo, sha), kind: "github.commit", title: firstLine(message), url: text(commit.url) });
    c.commitMessage(commitKey(repo, sha), message, repo);
    const pr = pullRequestOfCommit(message);
    if (pr) c.link(prKey(repo, pr.number), commitKey(repo, sha), "pr-commit-subject");
    parent = sha;
  }
  const afterSha = text(p.after);
  const after = afterSha && SHA.test(afterSha) && !ZERO.test(afterSha) ? afterSha.toLowerCase() : null;
  if (after && !commits.some((x) => x.sha === after)) {
    const head: Obj | undefined = p.head_commit;
    commits.push({
      sha: after,
      parents: parent ? [parent] : [],
      message: head?.message ?? null,
      authoredAt: storableDate(head?.timestamp),
    });
  }
  c.facts.push = { repository: repo, branch, commits };
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
  if (hasLabel(labels, c.incidentLabels)) addIncident(c, githubIssueIncident(issue, repo, at), key);
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
      pushFacts(c, p, repo);
      break;
    case "issues":
      issueFacts(c, p.issue, repo, e.occurredAt);
      break;
  }
}
