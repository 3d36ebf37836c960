import type pg from "pg";
import { Prisma } from "../../generated/prisma/client.js";
import { commitOf, isCommitKey, isIssueKey } from "../../shared/keys.js";
import { onConnection } from "../sql.js";
import type { z } from "zod";
import type { DeployChangesSchema, DeploySchema } from "../../api/schemas/deploys.js";
import { COMMIT_LIKES, dateOf, epochMs, epochMsText, ISSUE_LIKES, PR_LIKES } from "./sql-parts.js";

/** A deploy as the API answers it (api/schemas/deploys.ts). */
type DeployRow = z.output<typeof DeploySchema>;

/** A time as the JSON below hands it over (sql-parts.ts). */
type Ms = number | null;
type DeployJson = Omit<DeployRow, "startedAt" | "finishedAt"> & { startedAt: Ms; finishedAt: Ms };
const deployOf = (d: DeployJson): DeployRow => ({
  ...d,
  startedAt: dateOf(d.startedAt),
  finishedAt: dateOf(d.finishedAt),
});

interface ChangesRow {
  deploy: DeployJson | null;
  previous: DeployJson | null;
  links: Array<{ toKey: string; relation: string; confidence: number }> | null;
  commits: Array<{ sha: string; message: string | null; authoredAt: Ms }> | null;
  prs: Array<{ key: string; number: number; title: string; mergedAt: Ms; mergeCommitSha: string | null }> | null;
  issues: Array<{ key: string; title: string | null; state: string | null }> | null;
}

const deployJson = (t: string) =>
  Prisma.raw(`json_build_object('key', ${t}.key, 'repository', ${t}.repository,
  'environment', ${t}.environment, 'sha', ${t}.sha, 'status', ${t}.status, 'url', ${t}.url,
  'startedAt', ${epochMsText(`${t}.started_at`)}, 'finishedAt', ${epochMsText(`${t}.finished_at`)},
  'previousKey', ${t}.previous_key, 'rangeKnown', ${t}.range_known)`);
const DEPLOY = deployJson("d");
const PREVIOUS = deployJson("p");
const AUTHORED_MS = epochMs("c.authored_at");
const MERGED_MS = epochMs("pr.merged_at");

/**
 * The reads behind `GET /api/deploys/:key/changes`, as PostgreSQL's JSON hands them over, in one
 * statement (one plan, one round trip; prepared once per connection): the deploy and its previous
 * one, its `ships`/`rolls_back` links, and the commits, PRs and issues those name, each read by key.
 * A commit's SHA is what follows the key's last '@', as `commitOf` reads it.
 */
export async function readDeployChanges(pool: pg.Pool, key: string): Promise<ChangesRow | undefined> {
  const [row] = await onConnection(
    pool,
    (sql) => sql.query<ChangesRow[]>`
    WITH d AS (SELECT * FROM deploys WHERE key = ${key}),
    l AS (SELECT to_key, relation, confidence FROM links
      WHERE from_key = ${key} AND relation IN ('ships', 'rolls_back')),
    shipped AS (SELECT to_key FROM l WHERE relation = 'ships')
    SELECT
      (SELECT ${DEPLOY} FROM d) AS deploy,
      (SELECT ${PREVIOUS} FROM deploys p WHERE p.key = (SELECT previous_key FROM d)) AS previous,
      (SELECT json_agg(json_build_object('toKey', to_key, 'relation', relation, 'confidence', confidence)
         ORDER BY to_key) FROM l) AS links,
      (SELECT json_agg(json_build_object('sha', c.sha, 'message', c.message, 'authoredAt', ${AUTHORED_MS}))
         FROM commits c WHERE c.repository = (SELECT repository FROM d)
           AND c.sha = ANY(ARRAY(SELECT regexp_replace(to_key, '^.*@', '') FROM shipped
             WHERE to_key LIKE ANY(${COMMIT_LIKES}::text[])))) AS commits,
      (SELECT json_agg(json_build_object('key', pr.key, 'number', pr.number, 'title', pr.title,
           'mergedAt', ${MERGED_MS}, 'mergeCommitSha', pr.merge_commit_sha) ORDER BY pr.number)
         FROM pull_requests pr WHERE pr.key IN (SELECT to_key FROM shipped WHERE to_key LIKE ANY(${PR_LIKES}::text[]))) AS prs,
      (SELECT json_agg(json_build_object('key', e.key, 'title', e.title, 'state', e.state))
         FROM entities e
         WHERE e.key IN (SELECT to_key FROM shipped WHERE to_key LIKE ANY(${ISSUE_LIKES}::text[]))) AS issues`,
  );
  return row;
}

/** `GET /api/deploys/:key/changes` (contract §6): what a deploy shipped, and the deploy before it. */
export async function deployChanges(pool: pg.Pool, key: string): Promise<z.output<typeof DeployChangesSchema> | null> {
  const row = await readDeployChanges(pool, key);
  if (!row?.deploy) return null;
  const deploy = deployOf(row.deploy);
  const links = row.links ?? [];
  const shipped = links.filter((l) => l.relation === "ships");
  const commitKeys = shipped.filter((l) => isCommitKey(l.toKey)).map((l) => l.toKey);
  const shas = commitKeys.map((k) => commitOf(k)!.sha);
  const commits = row.commits ?? [];
  const issues = row.issues ?? [];
  return {
    deploy,
    previous: row.previous ? deployOf(row.previous) : null,
    rangeKnown: deploy.rangeKnown,
    rollsBack: links.find((l) => l.relation === "rolls_back")?.toKey ?? null,
    commits: commitKeys.map((k, i) => {
      const c = commits.find((x) => x.sha === shas[i]);
      return { key: k, sha: shas[i]!, message: c?.message ?? null, authoredAt: dateOf(c?.authoredAt ?? null) };
    }),
    pullRequests: (row.prs ?? []).map((p) => ({ ...p, mergedAt: dateOf(p.mergedAt) })),
    issues: shipped
      .filter((l) => isIssueKey(l.toKey))
      .map((l) => {
        const e = issues.find((x) => x.key === l.toKey);
        return { key: l.toKey, title: e?.title ?? null, state: e?.state ?? null, confidence: l.confidence };
      }),
  };
}
