import type pg from "pg";
import { Prisma } from "../../generated/prisma/client.js";
import { onConnection } from "../sql.js";
import { doraBands } from "./dora-bands.js";
import { type Bucket, doraFigures, type DoraFacts, doraSeries, environmentMatcher } from "./dora-math.js";
import type { z } from "zod";
import type { DoraReportSchema } from "../../api/schemas/deploys.js";
import { bestSuspectFirst, COMMIT_LIKES, commitRepository, dateOf, epochMs, PR_LIKES } from "./sql-parts.js";

/**
 * DORA's five metrics over a repository (or a group's repositories and services) and a time window,
 * for one environment or, by default, the production ones (contract §6). Definitions, with their choices, are in docs/dora.md; the maths
 * is in dora-math.ts.
 */
export interface DoraWindow {
  /** One repository; or `repositories` (a group's, named `group`). */
  repository?: string;
  group?: string;
  repositories?: string[];
  /** Services whose deploys count whatever their repository (a group's). */
  services?: string[];
  /** BUG_LABELS: issues so labelled make the deploys fixing them rework. */
  bugLabels?: string[];
  /** One environment; without it, every environment matching `production`. */
  environment?: string;
  /** Globs naming production environments (PRODUCTION_ENVIRONMENTS). */
  production: string[];
  since: Date;
  until: Date;
  bucket?: Bucket;
}

const RESTORE_HORIZON_MS = 90 * 86_400_000;
/** The end of what is read: a failure near the window's end may be restored after it. */
const horizonOf = (w: DoraWindow) => new Date(w.until.getTime() + RESTORE_HORIZON_MS);

/** The facts as PostgreSQL hands them over: compact JSON arrays, times in epoch milliseconds. */
interface FactsRow {
  deploys: Array<[key: string, environment: string, status: string, finishedMs: number, repository: string]> | null;
  /** Per change: the deploys that shipped it (once per link), when work on it started. */
  prChanges: Array<[deploys: string[], startedMs: number | null]> | null;
  commitChanges: Array<[deploys: string[], startedMs: number | null]> | null;
  restorations: Array<[failed: string, restoredBy: string]> | null;
  /** Each incident's top suspect among the deploys read, with when the incident was resolved. */
  incidentFailures: Array<[deploy: string, incident: string, resolvedMs: number | null]> | null;
  reworks: string[] | null;
}

/** The deploys a window reads: its repositories' (and services'), as an SQL condition on `deploys`. */
function deployScope(w: DoraWindow) {
  const repositories = windowRepositories(w);
  const services = (w.services ?? []).map((s) => s.toLowerCase());
  return services.length
    ? Prisma.sql`(repository = ANY(${repositories}::text[]) OR lower(service) = ANY(${services}::text[]))`
    : Prisma.sql`repository = ANY(${repositories}::text[])`;
}

const windowRepositories = (w: DoraWindow) =>
  (w.repositories ?? (w.repository ? [w.repository] : [])).map((r) => r.toLowerCase());

/**
 * The facts dora-math needs, in one statement (one plan, one round trip): every finished attempt
 * of the environments from `since` to 90 days after `until` (a failure near the end of the window
 * may be restored after it), the changes shipped by those of the window with when work on each
 * started, and the restorations of bad deploys. Prepared once per connection (store/sql.ts).
 *
 * - Lead time: per change a deploy ships (a PR, or a commit in no PR), from its first commit or the
 *   PR's creation, whichever is earlier. Each PR is worked out once however many deploys shipped
 *   it, its commits read once (a head commit is linked twice, branch push and head), and commit
 *   keys are parsed into the commits primary key (repository names cannot hold '@'): index
 *   probes, not a scan of all commits. Sets made here are joined to tables, never to each other:
 *   the planner cannot estimate a CTE's rows, and a nested loop over two of them cost 200 ms.
 * - Lone commits: a shipped commit that a shipped PR contains is in a PR, so only the few others
 *   (mostly none) are probed for a PR containing them, then looked up.
 * - Change failures: successful deploys rolled back later, and those that shipped a PR which a
 *   later deploy of the same environment shipped the revert of. `reverts` and `rolls_back` links
 *   are few: read from their own partial index (links_restoring_idx), not probed per shipped key.
 */
export function readDoraFacts(pool: pg.Pool, w: DoraWindow, environments: string[]): Promise<DoraFacts> {
  const horizon = horizonOf(w);
  const bugLabels = (w.bugLabels ?? ["bug"]).map((l) => l.toLowerCase());
  return onConnection(pool, async (sql) => {
    const [row] = await sql.query<FactsRow[]>`
      WITH d AS MATERIALIZED (
        SELECT key, environment, status, finished_at, repository FROM deploys
        WHERE ${deployScope(w)} AND environment = ANY(${environments}::text[])
          AND status IN ('succeeded', 'failed') AND finished_at >= ${w.since} AND finished_at < ${horizon}),
      counted AS MATERIALIZED (SELECT key FROM d WHERE finished_at < ${w.until}),
      shipped AS MATERIALIZED (
        SELECT l.from_key AS deploy, l.to_key AS key FROM counted k
        JOIN links l ON l.from_key = k.key AND l.relation = 'ships'),
      shipped_prs AS MATERIALIZED (
        SELECT key, array_agg(deploy) AS deploys FROM shipped WHERE key LIKE ANY(${PR_LIKES}::text[]) GROUP BY key),
      pr_started AS MATERIALIZED (
        SELECT p.deploys, pr.key IS NOT NULL AS known, LEAST(pr.created_at, min(c.authored_at)) AS started_at,
               array_agg(l.to_key) FILTER (WHERE l.to_key IS NOT NULL) AS commits
        FROM shipped_prs p LEFT JOIN pull_requests pr ON pr.key = p.key
        LEFT JOIN LATERAL (SELECT DISTINCT l.to_key FROM links l
          WHERE l.from_key = p.key AND l.relation = 'contains' AND l.to_key LIKE ANY(${COMMIT_LIKES}::text[])) l ON true
        LEFT JOIN commits c ON c.repository = ${commitRepository("l.to_key")}
          AND c.sha = split_part(l.to_key, '@', 2)
        GROUP BY p.key, p.deploys, pr.key, pr.created_at),
      unclaimed AS MATERIALIZED (
        SELECT s.deploy, s.key FROM shipped s WHERE s.key LIKE ANY(${COMMIT_LIKES}::text[])
          AND s.key NOT IN (SELECT unnest(commits) FROM pr_started)), -- a hashed subplan: no NULLs
      lone AS MATERIALIZED (
        SELECT s.deploy, s.key FROM unclaimed s
        WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.to_key = s.key AND l.relation = 'contains'
          AND l.from_key LIKE ANY(${PR_LIKES}::text[]))),
      reverted AS MATERIALIZED (
        SELECT s.deploy AS failed, rev.from_key AS reverter, a.repository, a.environment, a.at
        FROM shipped s JOIN links rev ON rev.to_key = s.key AND rev.relation = 'reverts'
        JOIN deploys a ON a.key = s.deploy),
      restorations AS (
        SELECT 0 AS part, l.to_key AS failed, l.from_key AS restored_by FROM counted k
        JOIN links l ON l.to_key = k.key AND l.relation = 'rolls_back'
        UNION ALL
        SELECT DISTINCT 1, r.failed, fix.from_key FROM reverted r
        JOIN links fix ON fix.to_key = r.reverter AND fix.relation = 'ships'
        JOIN deploys b ON b.key = fix.from_key AND b.environment = r.environment
          AND b.repository = r.repository AND b.at > r.at),
      -- An incident's most likely cause: its best-ranked suspect (docs/incidents.md), read by its rule's index.
      incident_top AS MATERIALIZED (
        SELECT DISTINCT ON (s.from_key) s.from_key AS incident, s.to_key AS deploy,
          CASE WHEN i.status = 'resolved' THEN i.resolved_at END AS resolved_at
        FROM links s JOIN incidents i ON i.key = s.from_key JOIN deploys b ON b.key = s.to_key
        WHERE s.rule = 'incident-suspect' AND i.opened_at >= ${w.since}
        ORDER BY s.from_key, ${bestSuspectFirst("s", "b")}),
      -- Rework (DORA 2024): deploys that roll back, or ship a revert, or a fix of an incident or a bug.
      reverters AS MATERIALIZED (SELECT DISTINCT from_key AS key FROM links WHERE relation = 'reverts'),
      incident_issues AS MATERIALIZED (SELECT to_key AS key FROM links WHERE rule = 'incident-label'),
      reworks AS (
        SELECT k.key FROM counted k WHERE EXISTS (SELECT 1 FROM links l WHERE l.from_key = k.key
          AND l.relation = 'rolls_back')
        UNION
        SELECT s.deploy FROM shipped s WHERE s.key IN (SELECT key FROM reverters)
          OR s.key IN (SELECT key FROM incident_issues)
          -- a shipped issue labelled as a bug: looked up by key, only for the issues shipped
          OR EXISTS (SELECT 1 FROM issue_labels b WHERE b.key = s.key
            AND EXISTS (SELECT 1 FROM unnest(b.labels) x WHERE lower(x) = ANY(${bugLabels}::text[]))))
      SELECT
        (SELECT json_agg(json_build_array(key, environment, status, ${epochMs("finished_at")}, repository)
           ORDER BY finished_at, key) FROM d) AS deploys,
        (SELECT json_agg(json_build_array(deploys, ${epochMs("started_at")}))
           FROM pr_started WHERE known) AS "prChanges",
        (SELECT json_agg(json_build_array(ARRAY[s.deploy], ${epochMs("c.authored_at")})) FROM lone s
           JOIN commits c ON c.repository = ${commitRepository("s.key")}
             AND c.sha = split_part(s.key, '@', 2)) AS "commitChanges",
        (SELECT json_agg(json_build_array(failed, restored_by) ORDER BY part, failed, restored_by) FROM restorations)
          AS restorations,
        (SELECT json_agg(json_build_array(t.deploy, t.incident, ${epochMs("t.resolved_at")}) ORDER BY t.incident)
           FROM incident_top t WHERE t.deploy IN (SELECT key FROM counted)) AS "incidentFailures",
        (SELECT json_agg(key ORDER BY key) FROM reworks) AS reworks`;
    return {
      since: w.since,
      until: w.until,
      deploys: (row!.deploys ?? []).map(([key, environment, status, ms, repository]) => ({
        key,
        repository,
        environment,
        status,
        finishedAt: dateOf(ms),
      })),
      changes: [...(row!.prChanges ?? []), ...(row!.commitChanges ?? [])].flatMap(([deploys, ms]) =>
        deploys.map((deploy) => ({ deploy, startedAt: dateOf(ms) })),
      ),
      restorations: (row!.restorations ?? []).map(([failed, restoredBy]) => ({ failed, restoredBy })),
      incidentFailures: (row!.incidentFailures ?? []).map(([deploy, incident, ms]) => ({
        deploy,
        incident,
        resolvedAt: dateOf(ms),
      })),
      reworks: row!.reworks ?? [],
    };
  });
}

/**
 * The environments counted: the one asked for, or those of the repository's attempts in the read
 * window that the production globs match (matched here, with the globs' own rules, not in SQL).
 */
async function environmentsOf(pool: pg.Pool, w: DoraWindow): Promise<string[]> {
  if (w.environment !== undefined) return [w.environment];
  const production = environmentMatcher(w.production);
  const rows = await onConnection(
    pool,
    (sql) =>
      sql.query<Array<{ environment: string }>>`
      SELECT DISTINCT environment FROM deploys WHERE ${deployScope(w)}
        AND status IN ('succeeded', 'failed') AND finished_at >= ${w.since}
        AND finished_at < ${horizonOf(w)}`,
  );
  return rows.map((r) => r.environment).filter(production);
}

export async function computeDora(pool: pg.Pool, w: DoraWindow): Promise<z.output<typeof DoraReportSchema>> {
  const env = w.environment ?? null;
  const facts = await readDoraFacts(pool, w, await environmentsOf(pool, w));
  const { deploys: counted, ...figures } = doraFigures(facts);
  return {
    repository: w.repository ?? null,
    group: w.group ?? null,
    repositories: [...new Set(counted.map((d) => d.repository))].sort(),
    environment: env,
    /** What was counted: the environment asked for, or those the production globs matched. */
    environments: [...new Set(counted.map((d) => d.environment))].sort(),
    productionEnvironments: env ? null : w.production,
    since: w.since,
    until: w.until,
    ...figures,
    deploys: counted,
    bands: doraBands(figures),
    ...(w.bucket ? { series: doraSeries(facts, w.bucket) } : {}),
  };
}
