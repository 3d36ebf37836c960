import type { ImportedDelivery } from "../../../import/history.js";
import { githubPriority, githubType } from "../classify.js";

/**
 * GitHub's REST objects turned into the bodies its webhooks carry (pure; docs/import.md). A REST pull
 * request, review, deployment, deployment status or issue is the webhook's object already; commits
 * become `push` bodies. Each delivery id is `import:` plus what it is, so a second import makes the
 * same ids and the ingest queue and raw_deliveries turn them away.
 */

type Obj = Record<string, any>;

/** The webhook delivery GitHub would have sent for `event` with `body`, at `at` (the change's own time). */
export function githubDelivery(event: string, body: Obj, deliveryId: string, at: string): ImportedDelivery {
  return {
    deliveryId,
    type: githubType(event, body),
    priority: githubPriority(event, body),
    body: JSON.stringify(body),
    receivedAt: new Date(at).toISOString(),
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": deliveryId },
  };
}

const login = (u: Obj | null | undefined) => (u ? { login: u.login, id: u.id, type: u.type } : null);

/**
 * A pull request from the list (`GET /repos/{o}/{r}/pulls`): `closed` at its close if closed (the
 * list's object has `merged_at`, not `merged`: added), else `opened` at its creation. Its id carries
 * `updated_at`, so a PR changed since the last import is delivered again, and an unchanged one is not.
 */
export function pullRequestDelivery(repository: Obj, pr: Obj): ImportedDelivery {
  const closed = pr.state === "closed";
  const action = closed ? "closed" : "opened";
  const body = {
    action,
    number: pr.number,
    pull_request: { ...pr, merged: Boolean(pr.merged_at) },
    repository,
    sender: login(pr.user),
  };
  const id = `import:pull_request:${repository.full_name}#${pr.number}:${action}:${pr.updated_at}`;
  return githubDelivery("pull_request", body, id, (closed ? pr.closed_at : pr.created_at) ?? pr.updated_at);
}

/** A submitted review (`GET …/pulls/{n}/reviews`) as `pull_request_review.submitted`; pending ones are skipped. */
export function reviewDelivery(repository: Obj, pr: Obj, review: Obj): ImportedDelivery | null {
  if (!review.submitted_at || review.state === "PENDING") return null;
  const body = {
    action: "submitted",
    // Webhooks spell the state in lower case; the REST API in upper case.
    review: { ...review, state: String(review.state).toLowerCase() },
    pull_request: { ...pr, merged: Boolean(pr.merged_at) },
    repository,
    sender: login(review.user),
  };
  const id = `import:pull_request_review:${repository.full_name}#${pr.number}:${review.id}`;
  return githubDelivery("pull_request_review", body, id, review.submitted_at);
}

/** A REST commit (`GET …/commits`) as a push's commit. */
function pushCommit(repository: Obj, c: Obj): Obj {
  return {
    id: c.sha,
    tree_id: c.commit?.tree?.sha ?? null,
    distinct: true,
    message: c.commit?.message ?? "",
    timestamp: c.commit?.author?.date ?? c.commit?.committer?.date ?? null,
    url: c.html_url ?? `${repository.html_url}/commit/${c.sha}`,
    author: { name: c.commit?.author?.name, email: c.commit?.author?.email, username: c.author?.login },
    committer: { name: c.commit?.committer?.name, email: c.commit?.committer?.email, username: c.committer?.login },
  };
}

/**
 * Commits of one branch, oldest first, as the `push` that brought them: `before` is the parent of the
 * oldest (so ancestry runs from `after` down to what the branch held), `after` the newest. Its id names
 * the branch and its range, so the same commits make the same delivery.
 */
export function pushDelivery(repository: Obj, branch: string, commits: Obj[]): ImportedDelivery | null {
  if (!commits.length) return null;
  const oldest = commits[0]!;
  const head = commits.at(-1)!;
  const before: string = oldest.parents?.[0]?.sha ?? "0".repeat(40);
  const list = commits.map((c) => pushCommit(repository, c));
  const body = {
    ref: `refs/heads/${branch}`,
    before,
    after: head.sha,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${repository.html_url}/compare/${before.slice(0, 12)}...${String(head.sha).slice(0, 12)}`,
    commits: list,
    head_commit: list.at(-1),
    repository,
    pusher: { name: head.author?.login ?? head.commit?.author?.name ?? null },
    sender: login(head.author),
  };
  const id = `import:push:${repository.full_name}:${branch}:${before}..${head.sha}`;
  return githubDelivery("push", body, id, head.commit?.committer?.date ?? head.commit?.author?.date);
}

/** A deployment (`GET …/deployments`) as `deployment.created`, at its creation. */
export function deploymentDelivery(repository: Obj, deployment: Obj): ImportedDelivery {
  const body = { action: "created", deployment, repository, sender: login(deployment.creator) };
  return githubDelivery(
    "deployment",
    body,
    `import:deployment:${repository.full_name}:${deployment.id}`,
    deployment.created_at,
  );
}

/** One of a deployment's statuses (`GET …/deployments/{id}/statuses`) as `deployment_status.created`. */
export function deploymentStatusDelivery(repository: Obj, deployment: Obj, status: Obj): ImportedDelivery {
  const body = {
    action: "created",
    deployment_status: status,
    deployment,
    repository,
    sender: login(status.creator),
  };
  const id = `import:deployment_status:${repository.full_name}:${deployment.id}:${status.id}`;
  return githubDelivery("deployment_status", body, id, status.created_at);
}

/**
 * An issue (`GET …/issues`; pull requests, which that list includes, are skipped) as `issues.closed` at
 * its close if closed, else `issues.opened` at its creation; keyed by `updated_at` like pull requests.
 */
export function issueDelivery(repository: Obj, issue: Obj): ImportedDelivery | null {
  if (issue.pull_request) return null;
  const closed = issue.state === "closed";
  const action = closed ? "closed" : "opened";
  const body = { action, issue, repository, sender: login(issue.user) };
  const id = `import:issues:${repository.full_name}#${issue.number}:${action}:${issue.updated_at}`;
  return githubDelivery("issues", body, id, (closed ? issue.closed_at : issue.created_at) ?? issue.updated_at);
}
