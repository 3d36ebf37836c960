import { STAGES, type Stage } from "../../api/schemas/lead-time.js";
import { environmentMatcher, percentile } from "./dora-math.js";

/**
 * Lead time in stages (issue 16, docs/dora.md "Lead time in stages"), from the facts lead-time.ts
 * reads. Pure, so the definitions are tested on their own. LinearB's and DevLake's split:
 * coding = first commit → PR opened; pickup = opened → first review not by the author;
 * review = first review → merged; deploy = merged → first production deploy that shipped it.
 */

/** A merged PR as read: its times, and the successful deploys that shipped it. */
export interface PullRequestTimes {
  key: string;
  repository: string;
  number: number;
  title: string;
  author: string | null;
  firstCommitAt: Date | null;
  openedAt: Date | null;
  firstReviewAt: Date | null;
  mergedAt: Date;
  /** Successful deploys with a `ships` link to the PR. */
  shippedBy: Array<{ key: string; environment: string; finishedAt: Date }>;
}

export interface StageSummary {
  /** PRs whose stage is known (both ends, in order). */
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export type StageSummaries = Record<Stage, StageSummary>;

export interface PullRequestStages extends Omit<PullRequestTimes, "shippedBy"> {
  /** The first deploy of a counted environment that shipped it, and when it finished. */
  deploy: string | null;
  deployedAt: Date | null;
  stages: Record<Stage, number | null>;
}

/** `to - from` in seconds; null when an end is unknown or the order is wrong (clock skew, edited history). */
export function stageSeconds(from: Date | null, to: Date | null): number | null {
  if (!from || !to) return null;
  const s = (to.getTime() - from.getTime()) / 1000;
  return s >= 0 ? s : null;
}

/**
 * The earliest deploy of the environments counted (`environment` if named, else the production globs)
 * that finished at or after the merge. One that finished before it shipped the branch's head, not the
 * merged change, and must not hide the deploy that did.
 */
export function firstDeploy(
  shippedBy: PullRequestTimes["shippedBy"],
  counts: (environment: string) => boolean,
  mergedAt: Date,
): PullRequestTimes["shippedBy"][number] | null {
  let first: PullRequestTimes["shippedBy"][number] | null = null;
  for (const d of shippedBy) {
    if (!counts(d.environment) || d.finishedAt < mergedAt) continue;
    if (!first || d.finishedAt < first.finishedAt || (+d.finishedAt === +first.finishedAt && d.key < first.key))
      first = d;
  }
  return first;
}

/** Which environments a deploy counts in: the one named (exactly), or those the production globs match. */
export const environmentTest = (environment: string | undefined, production: string[]) =>
  environment !== undefined ? (e: string) => e === environment : environmentMatcher(production);

export function pullRequestStages(pr: PullRequestTimes, counts: (environment: string) => boolean): PullRequestStages {
  const { shippedBy, ...times } = pr;
  const deploy = firstDeploy(shippedBy, counts, pr.mergedAt);
  const deployedAt = deploy?.finishedAt ?? null;
  // A review after the merge (a look afterwards) did not hold the merge up: no pickup or review time.
  const reviewAt = pr.firstReviewAt && pr.firstReviewAt <= pr.mergedAt ? pr.firstReviewAt : null;
  return {
    ...times,
    deploy: deploy?.key ?? null,
    deployedAt,
    stages: {
      coding: stageSeconds(pr.firstCommitAt, pr.openedAt),
      pickup: stageSeconds(pr.openedAt, reviewAt),
      review: stageSeconds(reviewAt, pr.mergedAt),
      deploy: stageSeconds(pr.mergedAt, deployedAt),
    },
  };
}

/** Median and p90 (linear interpolation, as PostgreSQL's percentile_cont) of each stage over `prs`. */
export function summarize(prs: PullRequestStages[]): StageSummaries {
  const entries = STAGES.map((stage) => {
    const values = prs
      .map((p) => p.stages[stage])
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    return [
      stage,
      { count: values.length, medianSeconds: percentile(values, 0.5), p90Seconds: percentile(values, 0.9) },
    ];
  });
  return Object.fromEntries(entries) as StageSummaries;
}

/** Each PR's stages, the summaries over all of them, and per repository (sorted by name). */
export function leadTimeStages(prs: PullRequestTimes[], counts: (environment: string) => boolean) {
  const staged = prs.map((pr) => pullRequestStages(pr, counts));
  const byRepository = new Map<string, PullRequestStages[]>();
  for (const pr of staged) {
    const own = byRepository.get(pr.repository);
    if (own) own.push(pr);
    else byRepository.set(pr.repository, [pr]);
  }
  return {
    stages: summarize(staged),
    byRepository: [...byRepository.keys()].sort().map((repository) => {
      const own = byRepository.get(repository)!;
      return { repository, merged: own.length, stages: summarize(own) };
    }),
    pullRequests: staged,
  };
}
