import type { PrismaClient } from "../generated/prisma/client.js";
import { PREFIX } from "../shared/keys.js";

/** Commit keys (`github:commit:<repo>@<sha>`) split in SQL: where the repository starts, 1-based. */
const COMMIT_REPO_AT = PREFIX.commit.length + 1;
const COMMIT_LIKE = `${PREFIX.commit}%`;
const PR_LIKE = `${PREFIX.pr}%`;

/**
 * DORA's four keys over one repository (and optionally one environment) and a time window.
 * Definitions, with their choices, are in docs/dora.md.
 */
export interface DoraWindow {
  repository: string;
  environment?: string;
  since: Date;
  until: Date;
}

interface DeployRow {
  key: string;
  environment: string;
  status: string;
  finishedAt: Date;
}

/** Linear interpolation between closest ranks (PostgreSQL's percentile_cont). */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const RESTORE_HORIZON_MS = 90 * 86_400_000;
const seconds = (a: Date, b: Date) => (a.getTime() - b.getTime()) / 1000;

export async function computeDora(prisma: PrismaClient, w: DoraWindow) {
  const env = w.environment ?? null;
  // Every finished attempt in the window, and those of the 90 days after it (a failure near the
  // end of the window may be restored after it).
  const deploys = await prisma.$queryRaw<DeployRow[]>`
    SELECT key, environment, status, finished_at AS "finishedAt" FROM deploys
    WHERE repository = ${w.repository} AND (${env}::text IS NULL OR environment = ${env})
      AND status IN ('succeeded', 'failed') AND finished_at >= ${w.since}
      AND finished_at < ${new Date(w.until.getTime() + RESTORE_HORIZON_MS)}
    ORDER BY finished_at, key`;
  const inWindow = deploys.filter((d) => d.finishedAt < w.until);
  const succeeded = inWindow.filter((d) => d.status === "succeeded");
  const keys = inWindow.map((d) => d.key);

  // Lead time: per change a deploy ships (a PR, or a commit in no PR), from its first commit or
  // the PR's creation, whichever is earlier, to the deploy's finish. Negative values are dropped.
  // Commit keys are parsed into the commits primary key (repository names cannot hold '@'), so
  // each lookup is an index probe, not a scan of all commits.
  const changesQuery = prisma.$queryRaw<Array<{ deploy: string; change: string; startedAt: Date | null }>>`
    WITH shipped AS (SELECT from_key AS deploy, to_key AS key FROM links WHERE relation = 'ships' AND from_key = ANY(${keys}))
    SELECT s.deploy, s.key AS change,
           LEAST(pr.created_at, (SELECT min(c.authored_at) FROM links l
                 JOIN commits c ON c.repository = split_part(substr(l.to_key, ${COMMIT_REPO_AT}), '@', 1) AND c.sha = split_part(l.to_key, '@', 2)
                 WHERE l.from_key = s.key AND l.relation = 'contains' AND l.to_key LIKE ${COMMIT_LIKE})) AS "startedAt"
    FROM shipped s JOIN pull_requests pr ON pr.key = s.key
    WHERE s.key LIKE ${PR_LIKE}
    UNION ALL
    SELECT s.deploy, s.key, c.authored_at FROM shipped s
    JOIN commits c ON c.repository = split_part(substr(s.key, ${COMMIT_REPO_AT}), '@', 1) AND c.sha = split_part(s.key, '@', 2)
    WHERE s.key LIKE ${COMMIT_LIKE}
      AND NOT EXISTS (SELECT 1 FROM links l WHERE l.to_key = s.key AND l.relation = 'contains' AND l.from_key LIKE ${PR_LIKE})`;
  // Change failures: failed attempts, successful deploys rolled back later, and successful deploys
  // that shipped a PR which a later deploy of the same environment shipped the revert of.
  const rolledBackQuery = prisma.$queryRaw<Array<{ failed: string; restoredBy: string }>>`
    SELECT to_key AS failed, from_key AS "restoredBy" FROM links WHERE relation = 'rolls_back' AND to_key = ANY(${keys})`;
  // The few revert links first, then their deploys by key (not a join over every deploy).
  const revertedQuery = prisma.$queryRaw<Array<{ failed: string; restoredBy: string }>>`
    WITH reverted AS MATERIALIZED (
      SELECT shipped.from_key AS failed, rev.from_key AS reverter
      FROM links shipped JOIN links rev ON rev.to_key = shipped.to_key AND rev.relation = 'reverts'
      WHERE shipped.relation = 'ships' AND shipped.from_key = ANY(${keys})),
    failed AS MATERIALIZED (SELECT r.*, a.repository, a.environment, a.at FROM reverted r JOIN deploys a ON a.key = r.failed)
    SELECT DISTINCT r.failed, fix.from_key AS "restoredBy" FROM failed r
    JOIN links fix ON fix.to_key = r.reverter AND fix.relation = 'ships'
    JOIN deploys b ON b.key = fix.from_key AND b.environment = r.environment AND b.repository = r.repository AND b.at > r.at`;
  // Independent reads: run them side by side on the pool rather than one round trip after another.
  const [changes, rolledBack, reverted] = await Promise.all([changesQuery, rolledBackQuery, revertedQuery]);
  const finished = new Map(deploys.map((d) => [d.key, d.finishedAt]));
  const leadTimes = changes
    .filter((c) => c.startedAt)
    .map((c) => seconds(finished.get(c.deploy)!, c.startedAt!))
    .filter((s) => s >= 0)
    .sort((a, b) => a - b);

  // failed deploy → the deploy that restored service (the earliest known), or null
  const failures = new Map<string, string | null>();
  const restore = (failed: string, by: string | null) => {
    const current = failures.get(failed);
    if (current === undefined || (by && (!current || finished.get(by)! < finished.get(current)!))) failures.set(failed, by);
  };
  for (const d of inWindow.filter((x) => x.status === "failed")) {
    const next = deploys.find((n) => n.environment === d.environment && n.status === "succeeded" && n.finishedAt > d.finishedAt);
    restore(d.key, next?.key ?? null);
  }
  for (const r of [...rolledBack, ...reverted]) restore(r.failed, finished.has(r.restoredBy) ? r.restoredBy : null);
  const restoreTimes = [...failures]
    .filter(([, by]) => by && finished.has(by))
    .map(([failed, by]) => seconds(finished.get(by!)!, finished.get(failed)!))
    .sort((a, b) => a - b);
  const days = seconds(w.until, w.since) / 86_400;

  return {
    repository: w.repository,
    environment: env,
    since: w.since,
    until: w.until,
    deploymentFrequency: { deploys: succeeded.length, perDay: succeeded.length / days },
    leadTimeForChanges: { changes: leadTimes.length, medianSeconds: percentile(leadTimes, 0.5), p90Seconds: percentile(leadTimes, 0.9) },
    changeFailureRate: { deployments: inWindow.length, failures: failures.size, rate: inWindow.length ? failures.size / inWindow.length : null },
    timeToRestore: { restored: restoreTimes.length, medianSeconds: percentile(restoreTimes, 0.5) },
    deploys: inWindow.map((d) => ({ key: d.key, environment: d.environment, status: d.status, finishedAt: d.finishedAt, failure: failures.has(d.key) })),
  };
}
