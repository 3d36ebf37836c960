import { commitKey } from "../shared/keys.js";
import { BUILTIN_RULES } from "./builtin-rules.js";
import type { LinkFact } from "./facts.js";
import { replaceLinks, type Tx } from "./graph-store.js";

interface DeployRow {
  key: string;
  repository: string;
  environment: string;
  sha: string;
  status: string;
  at: Date;
  eventIds: string[];
}

const ISSUE_CONFIDENCE: Record<string, number> = { closes: 0.95, references: 0.8 };
const RANGE_RULES = ["deploy-range", "rollback"];

/** The previous successful deploy of the same repository and environment. */
async function previousSuccess(tx: Tx, d: DeployRow): Promise<DeployRow | null> {
  const rows = await tx.query<DeployRow[]>`
    SELECT key, repository, environment, sha, status, at, event_ids AS "eventIds" FROM deploys
    WHERE repository = ${d.repository} AND environment = ${d.environment} AND status = 'succeeded'
      AND (at, key) < (${d.at}, ${d.key})
    ORDER BY at DESC, key DESC LIMIT 1`;
  return rows[0] ?? null;
}

/**
 * Commits reachable from `sha` but not from `baseSha`, over the ancestry pushes revealed.
 * `frontier` lists the commits of unknown parents either walk stopped at: a later push of one of
 * them can change the range (or make the deploy a rollback).
 */
async function commitRange(tx: Tx, repo: string, sha: string, baseSha: string | null) {
  const rows = await tx.query<Array<{ sha: string; known: boolean; frontier: boolean; inBase: boolean; side: string }>>`
    WITH RECURSIVE base(sha) AS (
      SELECT ${baseSha}::text WHERE ${baseSha}::text IS NOT NULL
      UNION
      SELECT p FROM base JOIN commits c ON c.repository = ${repo} AND c.sha = base.sha CROSS JOIN unnest(c.parents) p
    ),
    walk(sha) AS (
      SELECT ${sha}::text
      UNION
      SELECT p FROM walk JOIN commits c ON c.repository = ${repo} AND c.sha = walk.sha CROSS JOIN unnest(c.parents) p
      WHERE walk.sha NOT IN (SELECT sha FROM base)
    )
    SELECT w.sha, c.sha IS NOT NULL AS known,
           (c.sha IS NULL OR cardinality(c.parents) = 0) AS frontier,
           w.sha IN (SELECT sha FROM base) AS "inBase", 'walk' AS side
    FROM walk w LEFT JOIN commits c ON c.repository = ${repo} AND c.sha = w.sha
    UNION ALL
    SELECT b.sha, c.sha IS NOT NULL, true, true, 'base'
    FROM base b LEFT JOIN commits c ON c.repository = ${repo} AND c.sha = b.sha
    WHERE c.sha IS NULL OR cardinality(c.parents) = 0`;
  const walk = rows.filter((r) => r.side === "walk");
  const inBase = walk.some((r) => r.sha === sha && r.inBase);
  const outside = walk.filter((r) => !r.inBase);
  return {
    /** The deployed SHA is the baseline or one of its ancestors. */
    inBase,
    // Unknown commits at the walk's edge may turn out to be baseline ancestors: ship only the
    // deployed SHA itself and commits whose push was seen.
    shas: outside.filter((r) => r.known || r.sha === sha).map((r) => r.sha),
    // Either walk can grow when a push reveals the parents of one of these.
    frontier: [...new Set([...outside.filter((r) => r.frontier), ...rows.filter((r) => r.side === "base")].map((r) => r.sha))].sort(),
  };
}

/**
 * Recomputes what a deploy ships (SPEC §5 `ships`, rule deploy-range) and whether it rolls back
 * the previous deploy, from the facts stored so far. Called whenever a fact it depends on changes,
 * which is what makes the result independent of arrival order.
 */
export async function recomputeDeploy(tx: Tx, key: string): Promise<void> {
  const [d] = await tx.query<DeployRow[]>`
    SELECT key, repository, environment, sha, status, at, event_ids AS "eventIds" FROM deploys WHERE key = ${key}`;
  if (!d) return;
  if (d.status !== "succeeded") {
    await replaceLinks(tx, d.key, RANGE_RULES, []);
    await tx.execute`UPDATE deploys SET previous_key = NULL, range_known = false, range_frontier = '{}' WHERE key = ${d.key}`;
    return;
  }
  const previous = await previousSuccess(tx, d);
  // The first deploy of an environment has no baseline: it proves only its own SHA shipped,
  // never the whole history before it.
  const range = previous ? await commitRange(tx, d.repository, d.sha, previous.sha) : { inBase: false, shas: [d.sha], frontier: [] as string[] };
  const links: Array<LinkFact & { evidence: string[] }> = [];
  const add = (to: string, relation: string, rule: string, confidence: number, evidence: string[]) =>
    links.push({ from: d.key, to, relation, rule, confidence, evidence });

  let shas = range.shas;
  if (previous && d.sha !== previous.sha) {
    // A redeploy of an earlier SHA: an ancestor of the baseline, or what an earlier deploy ran.
    const [earlier] = await tx.query<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM deploys WHERE repository = ${d.repository} AND environment = ${d.environment}
        AND status = 'succeeded' AND sha = ${d.sha} AND (at, key) < (${previous.at}, ${previous.key})`;
    if (range.inBase || (earlier?.n ?? 0) > 0) {
      shas = [];
      add(previous.key, BUILTIN_RULES.rollback.relation, "rollback", BUILTIN_RULES.rollback.confidence, [...d.eventIds, ...previous.eventIds]);
    }
  } else if (previous) {
    shas = []; // the same SHA again: nothing new ships
  }
  const commitKeys = shas.map((s) => commitKey(d.repository, s));
  for (const c of commitKeys) add(c, "ships", "deploy-range", 1, d.eventIds);
  if (commitKeys.length) {
    const prs = await tx.query<Array<{ key: string }>>`
      SELECT DISTINCT from_key AS key FROM links WHERE relation = 'contains' AND to_key = ANY(${commitKeys})`;
    for (const pr of prs) add(pr.key, "ships", "deploy-range", 1, d.eventIds);
    const sources = [...commitKeys, ...prs.map((p) => p.key)];
    const issues = await tx.query<Array<{ key: string; relation: string }>>`
      SELECT DISTINCT to_key AS key, relation FROM links
      WHERE from_key = ANY(${sources}) AND relation IN ('closes', 'references')
        AND (to_key LIKE 'linear:issue:%' OR to_key LIKE 'github:issue:%')`;
    const best = new Map<string, number>();
    for (const i of issues) best.set(i.key, Math.max(best.get(i.key) ?? 0, ISSUE_CONFIDENCE[i.relation] ?? 0.8));
    for (const [issue, confidence] of best) add(issue, "ships", "deploy-range", confidence, d.eventIds);
  }
  await replaceLinks(tx, d.key, RANGE_RULES, links);
  await tx.execute`
    UPDATE deploys SET previous_key = ${previous?.key ?? null}, range_known = ${previous !== null}, range_frontier = ${range.frontier}::text[]
    WHERE key = ${d.key}`;
}

/** Deploys whose range may change after `key`'s: it is their baseline now, or was, or ran their SHA earlier. */
export async function dependentDeploys(tx: Tx, key: string): Promise<string[]> {
  const rows = await tx.query<Array<{ key: string }>>`
    (SELECT n.key FROM deploys d JOIN deploys n ON n.repository = d.repository AND n.environment = d.environment
       AND n.status = 'succeeded' AND (n.at, n.key) > (d.at, d.key)
     WHERE d.key = ${key} ORDER BY n.at, n.key LIMIT 1)
    UNION
    SELECT key FROM deploys WHERE previous_key = ${key}
    UNION
    -- a later redeploy of the same SHA is a rollback once this earlier deploy of it is known
    SELECT n.key FROM deploys d JOIN deploys n ON n.repository = d.repository AND n.environment = d.environment
      AND n.sha = d.sha AND n.status = 'succeeded' AND (n.at, n.key) > (d.at, d.key)
    WHERE d.key = ${key}`;
  return rows.map((r) => r.key);
}
