import type pg from "pg";
import { onConnection } from "../sql.js";
import type { z } from "zod";
import type { LeadTimeReportSchema } from "../../api/schemas/lead-time.js";
import { type Scope, scopeRepositories } from "../groups.js";
import { environmentTest, leadTimeStages, type PullRequestTimes } from "./lead-time-math.js";
import { COMMIT_LIKES, commitRepository, dateOf, epochMs } from "./sql-parts.js";

/** The PRs of some repositories merged in [since, until). */
export interface LeadTimeWindow {
  repositories: string[];
  since: Date;
  until: Date;
}

/** As PostgreSQL hands them over: compact JSON arrays, times in epoch milliseconds. */
type Row = [
  key: string,
  repository: string,
  number: number,
  title: string,
  author: string | null,
  firstCommitMs: number | null,
  openedMs: number | null,
  firstReviewMs: number | null,
  mergedMs: number,
  shippedBy: Array<[key: string, environment: string, finishedMs: number]> | null,
];

/**
 * Each PR merged in the window with the times its stages start and end (lead-time-math.ts), in one
 * statement: its first commit is the earliest author time of the commits it `contains` (keys parsed
 * into the commits primary key, as dora.ts does), and every successful deploy that `ships` it is
 * listed with its environment; which of them count (production or the environment asked for) is
 * decided by the globs' own rules, not in SQL.
 */
export async function readLeadTimes(pool: pg.Pool, w: LeadTimeWindow): Promise<PullRequestTimes[]> {
  if (!w.repositories.length) return [];
  const [row] = await onConnection(
    pool,
    (sql) => sql.query<Array<{ prs: Row[] | null }>>`
    WITH prs AS MATERIALIZED (
      SELECT key, repository, number, title, author, created_at, first_review_at, merged_at FROM pull_requests
      WHERE repository = ANY(${w.repositories}::text[]) AND merged_at >= ${w.since} AND merged_at < ${w.until})
    SELECT json_agg(json_build_array(p.key, p.repository, p.number, p.title, p.author, ${epochMs("fc.first")},
             ${epochMs("p.created_at")}, ${epochMs("p.first_review_at")}, ${epochMs("p.merged_at")}, sb.deploys)
             ORDER BY p.merged_at, p.key) AS prs
    FROM prs p
    LEFT JOIN LATERAL (
      SELECT min(c.authored_at) AS first FROM (SELECT DISTINCT to_key FROM links
        WHERE from_key = p.key AND relation = 'contains' AND to_key LIKE ANY(${COMMIT_LIKES}::text[])) l
      JOIN commits c ON c.repository = ${commitRepository("l.to_key")}
        AND c.sha = split_part(l.to_key, '@', 2)) fc ON true
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_array(d.key, d.environment, ${epochMs("d.finished_at")}) ORDER BY d.key) AS deploys
      FROM (SELECT DISTINCT from_key FROM links WHERE to_key = p.key AND relation = 'ships') l
      JOIN deploys d ON d.key = l.from_key AND d.status = 'succeeded' AND d.finished_at IS NOT NULL) sb ON true`,
  );
  return (row?.prs ?? []).map(([key, repository, number, title, author, first, opened, review, merged, by]) => ({
    key,
    repository,
    number,
    title,
    author,
    firstCommitAt: dateOf(first),
    openedAt: dateOf(opened),
    firstReviewAt: dateOf(review),
    mergedAt: dateOf(merged),
    shippedBy: (by ?? []).map(([deploy, environment, ms]) => ({ key: deploy, environment, finishedAt: dateOf(ms) })),
  }));
}

export interface LeadTimeQuery extends Scope {
  /** One environment; without it, every environment matching `production`. */
  environment?: string;
  /** Globs naming production environments (PRODUCTION_ENVIRONMENTS). */
  production: string[];
  since: Date;
  until: Date;
}

/** Lead time in stages over a repository or a group (GroupNotFound for an unknown group). */
export async function computeLeadTime(pool: pg.Pool, q: LeadTimeQuery): Promise<z.output<typeof LeadTimeReportSchema>> {
  const { repositories } = await scopeRepositories(pool, q);
  const prs = await readLeadTimes(pool, { repositories, since: q.since, until: q.until });
  const figures = leadTimeStages(prs, environmentTest(q.environment, q.production));
  return {
    repository: q.group === undefined ? (repositories[0] ?? null) : null,
    group: q.group ?? null,
    repositories,
    environment: q.environment ?? null,
    productionEnvironments: q.environment === undefined ? q.production : null,
    since: q.since,
    until: q.until,
    merged: prs.length,
    ...figures,
  };
}
