/** The shapes of kit/github-history.ts: the REST state, the webhook deliveries; and its seeded randomness. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub's REST and webhook objects, read loosely
export type Obj = Record<string, any>;

export interface GithubRestState {
  repository: Obj;
  /** Newest update first is how the API sorts them (`sort=updated&direction=desc`); stored in any order. */
  pulls: Obj[];
  prCommits: Map<number, Obj[]>;
  reviews: Map<number, Obj[]>;
  /** The default branch's commits, newest first. */
  commits: Obj[];
  /** Newest first. */
  deployments: Obj[];
  /** Per deployment id, newest first. */
  statuses: Map<number, Obj[]>;
  /** Issues and pull requests (GitHub's issues list holds both), by number. */
  issues: Obj[];
}

export interface WebhookDelivery {
  event: string;
  payload: Obj;
  at: string;
  deliveryId: string;
}

export interface GithubHistory {
  state: GithubRestState;
  webhooks: WebhookDelivery[];
  /** Counts for checks: pull requests, merged ones, deployments, issues. */
  counts: { pulls: number; merged: number; deployments: number; issues: number; commits: number };
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
export const USERS = ["ada", "grace", "linus", "barbara", "ken", "margaret"];

/**
 * A REST commit as a push webhook lists it. Written apart from the import's converter on purpose: this is the
 * webhook side of the comparison, what GitHub sends, not what the import makes.
 */
export const pushCommit = (c: Obj) => ({
  id: c.sha,
  tree_id: c.commit.tree.sha,
  distinct: true,
  message: c.commit.message,
  timestamp: c.commit.author.date,
  url: c.html_url,
  author: { name: c.commit.author.name, email: c.commit.author.email, username: c.author.login },
  committer: { name: c.commit.committer.name, email: c.commit.committer.email, username: c.committer.login },
});
