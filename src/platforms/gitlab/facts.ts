import type { Collector } from "../../correlate/collector.js";
import { pushFacts } from "../../correlate/push-facts.js";
import { addIncident, hasLabel, issueIncident } from "../../correlate/incident-facts.js";
import {
  branchIdentifiers,
  linearIdentifiers,
  mergeRequestOfCommit,
  revertedBranchIdentifiers,
  revertOf,
} from "../../correlate/text-references.js";
import { bounded, LIMITS, text } from "../../shared/bounds.js";
import type { StoredEvent } from "../../shared/event.js";
import { commitKeyIfSha, gitlabRepository, issueKey, prKey, scope } from "../../shared/keys.js";
import { storableDate } from "../../shared/time.js";

type Obj = Record<string, any>;

const SHA = /^[0-9a-f]{40}$/i;
const APPROVALS = new Set(["approved", "approval"]);

/** GitLab's labels are `[{ title }]`, bounded as GitHub's names are. */
export function gitlabLabels(labels: unknown): string[] {
  if (!Array.isArray(labels)) return [];
  return labels
    .map((l: unknown) => bounded((l as { title?: unknown } | null)?.title, LIMITS.nameBytes))
    .filter((n): n is string => n !== null)
    .slice(0, 100);
}

/**
 * A merge request as GitHub's PRs are (contract §5): head and merge commits, Linear identifiers in its branch
 * and title, `Closes #N` in its description (a GitLab issue), a revert by title. Its author is known when the
 * event's user is the author (GitLab sends author_id only); an approval by anyone else is its first review.
 */
function mergeRequestFacts(c: Collector, p: Obj, repo: string, at: Date) {
  const mr: Obj = p.object_attributes ?? {};
  const iid = mr.iid;
  if (!Number.isSafeInteger(iid) || iid <= 0) return;
  const key = prKey(repo, iid);
  const merged = mr.state === "merged";
  const title = text(mr.title);
  const headRef = bounded(mr.source_branch, LIMITS.nameBytes);
  const headSha = text(mr.last_commit?.id);
  const mergeCommitSha = text(mr.merge_commit_sha);
  c.entity({ key, kind: "gitlab.mr", title, state: merged ? "merged" : text(mr.state), url: text(mr.url) });
  const head = commitKeyIfSha(repo, headSha);
  if (head) c.link(key, head, "pr-head-commit");
  const merge = commitKeyIfSha(repo, mergeCommitSha);
  if (merge) c.link(key, merge, "pr-merge-commit");
  for (const id of branchIdentifiers(headRef)) c.mention(key, "linear_identifier", id, "linear-id-in-branch");
  for (const id of revertedBranchIdentifiers(headRef)) c.mention(key, "linear_identifier", id, "linear-revert");
  for (const id of linearIdentifiers(title)) c.mention(key, "linear_identifier", id, "linear-id-in-title");
  c.description(key, text(mr.description), repo);
  // GitLab's revert MR is titled `Revert "<title>"`; GitHub's body and branch conventions do not apply.
  const revert = revertOf({ title }, repo);
  const userId = p.user?.id;
  const byAuthor = userId !== undefined && userId === mr.author_id;
  const updatedAt = storableDate(mr.updated_at);
  c.facts.pullRequest = {
    key,
    repository: repo,
    number: iid,
    title: title ?? "",
    headRef,
    baseRef: bounded(mr.target_branch, LIMITS.nameBytes),
    headSha: headSha && SHA.test(headSha) ? headSha.toLowerCase() : null,
    mergeCommitSha: mergeCommitSha && SHA.test(mergeCommitSha) ? mergeCommitSha.toLowerCase() : null,
    merged,
    createdAt: storableDate(mr.created_at),
    // GitLab's hook has no merged_at: the merge event's own time is when it merged.
    mergedAt: merged ? (storableDate(mr.merged_at) ?? (mr.action === "merge" ? (updatedAt ?? at) : null)) : null,
    updatedAt: updatedAt ?? storableDate(mr.created_at) ?? new Date(0),
    revertsByTitle: revert.title,
    author: byAuthor ? text(p.user?.username) : null,
    firstReviewAt: APPROVALS.has(mr.action) && userId !== undefined && !byAuthor ? (updatedAt ?? at) : null,
  };
}

/** An issue: its entity, its labels, and an incident when it carries an incident label (docs/incidents.md). */
function issueFacts(c: Collector, p: Obj, repo: string, at: Date) {
  const issue: Obj = p.object_attributes ?? {};
  if (!Number.isSafeInteger(issue.iid) || issue.iid <= 0) return;
  const key = issueKey(repo, issue.iid);
  c.entity({ key, kind: "gitlab.issue", title: text(issue.title), state: text(issue.state), url: text(issue.url) });
  const labels = gitlabLabels(p.labels ?? issue.labels);
  c.facts.issueLabels = { key, labels, at: storableDate(issue.updated_at) ?? at };
  if (hasLabel(labels, c.incidentLabels))
    addIncident(
      c,
      issueIncident(
        {
          number: issue.iid,
          title: issue.title,
          body: issue.description,
          closed: issue.state === "closed",
          createdAt: issue.created_at,
          updatedAt: issue.updated_at,
          closedAt: [issue.closed_at, issue.updated_at],
          url: issue.url,
        },
        repo,
        at,
      ),
      key,
    );
}

/**
 * GitLab's facts: merge requests, pushes and issues. Deployments go through their deploy row; pipelines are only
 * keyed to their commit and merge request (a merged-results pipeline runs a commit no branch holds).
 */
export function gitlabFacts(c: Collector, e: StoredEvent) {
  const p = e.payload as Obj;
  const row = e.rows.gitlab!;
  const repo = row.repository;
  if (!repo) return;
  c.facts.scopes.push(scope("repo", repo));
  switch (row.name) {
    case "merge_request":
      mergeRequestFacts(c, p, repo, e.occurredAt);
      break;
    case "push": {
      // GitLab lists the newest 20 commits of a push and says nothing of forced pushes: when it lists fewer than
      // it counts, the first one's parent is not `before`. A merge commit's `See merge request group/project!N`
      // links that MR to it.
      const listed = Array.isArray(p.commits) ? p.commits.length : 0;
      pushFacts(c, p, repo, {
        kind: "gitlab.commit",
        beforeIsParent: !Number.isSafeInteger(p.total_commits_count) || p.total_commits_count <= listed,
        prOf: (message) => {
          const mr = mergeRequestOfCommit(message);
          return mr ? prKey(gitlabRepository(mr.path), mr.iid) : null;
        },
      });
      break;
    }
    case "issue":
      issueFacts(c, p, repo, e.occurredAt);
      break;
  }
}
