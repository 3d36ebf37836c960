/**
 * The one reader of a payload's `pull_request`: the normalizer and the correlation facts both see
 * the PR through it, so "merged" and friends mean the same everywhere.
 */
import { bounded, LIMITS, text } from "../../shared/bounds.js";
import { objectAt, Unprocessable } from "../../shared/errors.js";

type Obj = Record<string, any>;

export interface PullRequestView {
  number: number;
  title: string | null;
  body: string | null;
  state: string | null;
  /** `merged` is only in `pull_request` events; review events carry `merged_at` alone. */
  merged: boolean;
  mergeCommitSha: string | null;
  headSha: string | null;
  headRef: string | null;
  baseRef: string | null;
  url: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  closedAt: string | null;
  mergedAt: string | null;
  /** The author's login. */
  author: string | null;
}

const str = text;
/** Branch names become indexed columns (pull_requests, branch_commits). */
const ref = (v: unknown) => bounded(v, LIMITS.nameBytes);

/** The payload's `pull_request`; Unprocessable if it is missing or has no number. */
export function readPullRequest(payload: Obj): PullRequestView {
  const pr = objectAt(payload, "pull_request");
  if (!Number.isSafeInteger(pr.number) || pr.number < 1)
    throw new Unprocessable("payload.pull_request.number is not a number");
  const merged = pr.merged === true || Boolean(pr.merged_at);
  return {
    number: pr.number,
    title: str(pr.title),
    body: str(pr.body),
    state: str(pr.state),
    merged,
    mergeCommitSha: merged ? str(pr.merge_commit_sha) : null,
    headSha: str(pr.head?.sha),
    headRef: ref(pr.head?.ref),
    baseRef: ref(pr.base?.ref),
    url: str(pr.html_url),
    createdAt: str(pr.created_at),
    updatedAt: str(pr.updated_at),
    closedAt: str(pr.closed_at),
    mergedAt: str(pr.merged_at),
    author: ref(pr.user?.login),
  };
}

/**
 * When a `pull_request_review` payload's review was submitted, if it counts as one (lead time's
 * pickup ends with it): submitted (not pending), by someone other than the PR's author. Any action
 * (submitted, edited, dismissed) carries the same review and the same time, so any will do.
 */
export function reviewSubmittedAt(payload: Obj, author: string | null): string | null {
  const review: unknown = payload.review;
  if (typeof review !== "object" || review === null) return null;
  const r = review as Obj;
  const state = str(r.state)?.toLowerCase();
  const reviewer = str(r.user?.login);
  if (!state || state === "pending" || !reviewer || reviewer === author) return null;
  return str(r.submitted_at);
}
