import type { PrismaClient } from "../generated/prisma/client.js";
import { PREFIX } from "../shared/keys.js";
import {
  type Bucket,
  doraFigures,
  type DoraDeploy,
  type DoraFacts,
  doraSeries,
  environmentMatcher,
} from "./dora-math.js";

/** Commit keys (`github:commit:<repo>@<sha>`) split in SQL: where the repository starts, 1-based. */
const COMMIT_REPO_AT = PREFIX.commit.length + 1;
const COMMIT_LIKE = `${PREFIX.commit}%`;
const PR_LIKE = `${PREFIX.pr}%`;

/**
 * DORA's four keys over one repository and a time window, for one environment or, by default,
 * the production ones (SPEC §6). Definitions, with their choices, are in docs/dora.md; the maths
 * is in dora-math.ts.
 */
export interface DoraWindow {
  repository: string;
  /** One environment; without it, every environment matching `production`. */
  environment?: string;
  /** Globs naming production environments (PRODUCTION_ENVIRONMENTS). */
  production: string[];
  since: Date;
  until: Date;
  bucket?: Bucket;
}

const RESTORE_HORIZON_MS = 90 * 86_400_000;

export async function computeDora(prisma: PrismaClient, w: DoraWindow) {
  const env = w.environment ?? null;
  // Every finished attempt in the window, and those of the 90 days after it (a failure near the
  // end of the window may be restored after it).
  const found = await prisma.$queryRaw<DoraDeploy[]>`
    SELECT key, environment, status, finished_at AS "finishedAt" FROM deploys
    WHERE repository = ${w.repository} AND (${env}::text IS NULL OR environment = ${env})
      AND status IN ('succeeded', 'failed') AND finished_at >= ${w.since}
      AND finished_at < ${new Date(w.until.getTime() + RESTORE_HORIZON_MS)}
    ORDER BY finished_at, key`;
  const production = environmentMatcher(w.production);
  const deploys = env ? found : found.filter((d) => production(d.environment));
  const keys = deploys.filter((d) => d.finishedAt < w.until).map((d) => d.key);

  // Lead time: per change a deploy ships (a PR, or a commit in no PR), from its first commit or
  // the PR's creation, whichever is earlier, to the deploy's finish. Negative values are dropped.
  // Commit keys are parsed into the commits primary key (repository names cannot hold '@'), so
  // each lookup is an index probe, not a scan of all commits.
  const changesQuery = prisma.$queryRaw<Array<{ deploy: string; change: string; startedAt: Date | null }>>`
    WITH shipped AS (SELECT from_key AS deploy, to_key AS key FROM links WHERE relation = 'ships'
      AND from_key = ANY(${keys}))
    SELECT s.deploy, s.key AS change,
           LEAST(pr.created_at, (SELECT min(c.authored_at) FROM links l
                 JOIN commits c ON c.repository = split_part(substr(l.to_key, ${COMMIT_REPO_AT}), '@', 1)
                   AND c.sha = split_part(l.to_key, '@', 2)
                 WHERE l.from_key = s.key AND l.relation = 'contains' AND l.to_key LIKE ${COMMIT_LIKE})) AS "startedAt"
    FROM shipped s JOIN pull_requests pr ON pr.key = s.key
    WHERE s.key LIKE ${PR_LIKE}
    UNION ALL
    SELECT s.deploy, s.key, c.authored_at FROM shipped s
    JOIN commits c ON c.repository = split_part(substr(s.key, ${COMMIT_REPO_AT}), '@', 1)
      AND c.sha = split_part(s.key, '@', 2)
    WHERE s.key LIKE ${COMMIT_LIKE}
      AND NOT EXISTS (SELECT 1 FROM links l WHERE l.to_key = s.key AND l.relation = 'contains'
        AND l.from_key LIKE ${PR_LIKE})`;
  // Change failures: failed attempts, successful deploys rolled back later, and successful deploys
  // that shipped a PR which a later deploy of the same environment shipped the revert of.
  const rolledBackQuery = prisma.$queryRaw<Array<{ failed: string; restoredBy: string }>>`
    SELECT to_key AS failed, from_key AS "restoredBy" FROM links WHERE relation = 'rolls_back'
      AND to_key = ANY(${keys})`;
  // The few revert links first, then their deploys by key (not a join over every deploy).
  const revertedQuery = prisma.$queryRaw<Array<{ failed: string; restoredBy: string }>>`
    WITH reverted AS MATERIALIZED (
      SELECT shipped.from_key AS failed, rev.from_key AS reverter
      FROM links shipped JOIN links rev ON rev.to_key = shipped.to_key AND rev.relation = 'reverts'
      WHERE shipped.relation = 'ships' AND shipped.from_key = ANY(${keys})),
    failed AS MATERIALIZED (SELECT r.*, a.repository, a.environment, a.at FROM reverted r
      JOIN deploys a ON a.key = r.failed)
    SELECT DISTINCT r.failed, fix.from_key AS "restoredBy" FROM failed r
    JOIN links fix ON fix.to_key = r.reverter AND fix.relation = 'ships'
    JOIN deploys b ON b.key = fix.from_key AND b.environment = r.environment AND b.repository = r.repository
      AND b.at > r.at`;
  // Independent reads: run them side by side on the pool rather than one round trip after another.
  const [changes, rolledBack, reverted] = await Promise.all([changesQuery, rolledBackQuery, revertedQuery]);
  const facts: DoraFacts = {
    since: w.since,
    until: w.until,
    deploys,
    changes,
    restorations: [...rolledBack, ...reverted],
  };
  const { deploys: counted, ...figures } = doraFigures(facts);
  return {
    repository: w.repository,
    environment: env,
    /** What was counted: the environment asked for, or those the production globs matched. */
    environments: [...new Set(counted.map((d) => d.environment))].sort(),
    productionEnvironments: env ? null : w.production,
    since: w.since,
    until: w.until,
    ...figures,
    deploys: counted,
    ...(w.bucket ? { series: doraSeries(facts, w.bucket) } : {}),
  };
}
