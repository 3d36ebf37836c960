import { BUILTIN_RULES } from "../../../src/correlate/builtin-rules.js";
import type { LinkFact } from "../../../src/correlate/facts.js";
import { deployMilestones, linkMilestones, type MilestoneDraft } from "../../../src/correlate/milestones.js";
import { commitKey, PREFIX } from "../../../src/shared/keys.js";
import { jsonParam, type Sql } from "../../../src/store/sql.js";

// ---------------------------------------------------------------------------------------------
// REFERENCE ORACLE: the per-deploy recompute as it was before the batch version (commit c7f7a19,
// src/store/graph/deploy-range.ts and replaceLinks of src/store/graph/links.ts), copied unchanged
// but for names. Test code only: it states what recomputeDeploys must keep giving.
// ---------------------------------------------------------------------------------------------

interface OracleDeployState {
  key: string;
  repository: string;
  environment: string;
  sha: string;
  status: string;
  eventIds: string[];
  previousKey: string | null;
  rangeKnown: boolean;
  rangeFrontier: string[];
  base: { key: string; sha: string; eventIds: string[]; ranShaEarlier: boolean } | null;
}

const ISSUE_CONFIDENCE: Record<string, number> = { closes: 0.95, references: 0.8 };
export const RANGE_RULES = ["deploy-range", "rollback"];

const oracleLinkId = (l: LinkFact) => `${l.from}\u001f${l.to}\u001f${l.relation}\u001f${l.rule}`;
const oracleLinkRows = (byId: Map<string, LinkFact & { evidence: Iterable<string> }>) =>
  [...byId.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, l]) => ({
      from_key: l.from,
      to_key: l.to,
      relation: l.relation,
      rule: l.rule,
      confidence: l.confidence,
      evidence: [...l.evidence].sort(),
    }));

async function oracleReplaceLinks(
  tx: Sql,
  from: string,
  rules: string[],
  links: Array<LinkFact & { evidence: string[] }>,
): Promise<{ created: LinkFact[]; removed: number }> {
  const keep = links.map((l) => `${l.to}\u001f${l.relation}\u001f${l.rule}`);
  const rows = oracleLinkRows(new Map(links.map((l) => [oracleLinkId(l), l])));
  const [result] = await tx.query<Array<{ created: LinkFact[]; removed: number }>>`
    WITH gone AS (
      DELETE FROM links WHERE from_key = ${from} AND rule = ANY(${rules})
        AND (to_key || chr(31) || relation || chr(31) || rule) <> ALL(${keep})
      RETURNING 1),
    written AS (
      INSERT INTO links (from_key, to_key, relation, rule, confidence, evidence)
      SELECT from_key, to_key, relation, rule, confidence, evidence FROM jsonb_populate_recordset(NULL::links,
        ${jsonParam(rows)}::jsonb)
      ON CONFLICT (from_key, to_key, relation, rule) DO UPDATE SET
        evidence = EXCLUDED.evidence, confidence = EXCLUDED.confidence, updated_at = now()
      WHERE links.evidence <> EXCLUDED.evidence OR links.confidence <> EXCLUDED.confidence
      RETURNING from_key, to_key, relation, rule, confidence, xmax = 0 AS created)
    SELECT COALESCE((SELECT jsonb_agg(jsonb_build_object('from', from_key, 'to', to_key, 'relation', relation,
             'rule', rule, 'confidence', confidence)) FROM written WHERE created), '[]') AS created,
           (SELECT count(*)::int FROM gone) AS removed`;
  return result!;
}

async function oracleLoadDeploy(tx: Sql, key: string): Promise<OracleDeployState | null> {
  const [row] = await tx.query<
    Array<
      Omit<OracleDeployState, "base"> & {
        baseKey: string | null;
        baseSha: string;
        baseEventIds: string[];
        ranShaEarlier: boolean;
      }
    >
  >`
    SELECT d.key, d.repository, d.environment, d.sha, d.status, d.event_ids AS "eventIds",
           d.previous_key AS "previousKey", d.range_known AS "rangeKnown", d.range_frontier AS "rangeFrontier",
           b.key AS "baseKey", b.sha AS "baseSha", b.event_ids AS "baseEventIds",
           b.key IS NOT NULL AND EXISTS (
             SELECT 1 FROM deploys e WHERE e.repository = d.repository AND e.service = d.service
               AND e.environment = d.environment
               AND e.status = 'succeeded' AND e.sha = d.sha AND (e.at, e.key) < (b.at, b.key)) AS "ranShaEarlier"
    FROM deploys d
    LEFT JOIN LATERAL (
      SELECT key, sha, at, event_ids FROM deploys p
      WHERE p.repository = d.repository AND p.service = d.service AND p.environment = d.environment
        AND p.status = 'succeeded'
        AND (p.at, p.key) < (d.at, d.key)
      ORDER BY p.at DESC, p.key DESC LIMIT 1) b ON true
    WHERE d.key = ${key}`;
  if (!row) return null;
  const { baseKey, baseSha, baseEventIds, ranShaEarlier, ...d } = row;
  return { ...d, base: baseKey ? { key: baseKey, sha: baseSha, eventIds: baseEventIds, ranShaEarlier } : null };
}

async function oracleCommitRange(tx: Sql, repo: string, sha: string, baseSha: string | null) {
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
    inBase,
    shas: outside.filter((r) => r.known || r.sha === sha).map((r) => r.sha),
    frontier: [
      ...new Set([...outside.filter((r) => r.frontier), ...rows.filter((r) => r.side === "base")].map((r) => r.sha)),
    ].sort(),
  };
}

async function oracleSaveRange(
  tx: Sql,
  d: OracleDeployState,
  previousKey: string | null,
  rangeKnown: boolean,
  frontier: string[],
): Promise<boolean> {
  const moved = d.previousKey !== previousKey || d.rangeKnown !== rangeKnown;
  if (!moved && (d.rangeFrontier ?? []).join() === frontier.join()) return false;
  await tx.execute`
    UPDATE deploys SET previous_key = ${previousKey}, range_known = ${rangeKnown}, range_frontier = ${frontier}::text[]
    WHERE key = ${d.key}`;
  return moved;
}

async function oracleRecomputeDeploy(tx: Sql, key: string): Promise<MilestoneDraft[]> {
  const d = await oracleLoadDeploy(tx, key);
  if (!d) return [];
  if (d.status !== "succeeded") {
    await oracleReplaceLinks(tx, d.key, RANGE_RULES, []);
    await oracleSaveRange(tx, d, null, false, []);
    return [];
  }
  const previous = d.base;
  const range = previous
    ? await oracleCommitRange(tx, d.repository, d.sha, previous.sha)
    : { inBase: false, shas: [d.sha], frontier: [] as string[] };
  const links: Array<LinkFact & { evidence: string[] }> = [];
  const add = (to: string, relation: string, rule: string, confidence: number, evidence: string[]) =>
    links.push({ from: d.key, to, relation, rule, confidence, evidence });

  let shas = range.shas;
  let rollsBack: string | null = null;
  if (previous && d.sha !== previous.sha) {
    if (range.inBase || previous.ranShaEarlier) {
      shas = [];
      rollsBack = previous.key;
      add(previous.key, BUILTIN_RULES.rollback.relation, "rollback", BUILTIN_RULES.rollback.confidence, [
        ...d.eventIds,
        ...previous.eventIds,
      ]);
    }
  } else if (previous) {
    shas = [];
  }
  const commitKeys = shas.map((s) => commitKey(d.repository, s));
  for (const c of commitKeys) add(c, "ships", "deploy-range", 1, d.eventIds);
  const issuePullRequests = new Map<string, string[]>();
  if (commitKeys.length) {
    const rows = await tx.query<Array<{ key: string; relation: string | null; via: string | null }>>`
      WITH prs AS (SELECT DISTINCT from_key AS key FROM links WHERE relation = 'contains'
        AND to_key = ANY(${commitKeys}))
      SELECT key, NULL AS relation, NULL AS via FROM prs
      UNION ALL
      SELECT DISTINCT to_key, relation, from_key FROM links
      WHERE from_key = ANY(${commitKeys}::text[] || ARRAY(SELECT key FROM prs)) AND relation IN ('closes', 'references')
        AND (to_key LIKE ${`${PREFIX.linearIssue}%`} OR to_key LIKE ${`${PREFIX.issue}%`})`;
    const best = new Map<string, number>();
    for (const r of rows) {
      if (r.relation === null) add(r.key, "ships", "deploy-range", 1, d.eventIds);
      else {
        best.set(r.key, Math.max(best.get(r.key) ?? 0, ISSUE_CONFIDENCE[r.relation] ?? 0.8));
        if (r.via?.startsWith(PREFIX.pr))
          issuePullRequests.set(r.key, [...new Set([...(issuePullRequests.get(r.key) ?? []), r.via])]);
      }
    }
    for (const [issue, confidence] of best) add(issue, "ships", "deploy-range", confidence, d.eventIds);
  }
  const { created, removed } = await oracleReplaceLinks(tx, d.key, RANGE_RULES, links);
  const rangeMoved = await oracleSaveRange(tx, d, previous?.key ?? null, previous !== null, range.frontier);
  if (!created.length && !removed && !rangeMoved) return [];
  const shipped = created.filter((l) => l.relation === "ships").map((l) => l.to);
  const rolledBack = created.some((l) => l.rule === "rollback");
  const ships = links.filter((l) => l.relation === "ships").map((l) => l.to);
  return [
    ...linkMilestones(created, true),
    ...deployMilestones(
      {
        key: d.key,
        repository: d.repository,
        environment: d.environment,
        previous: previous?.key ?? null,
        rangeKnown: previous !== null,
        ships,
        issuePullRequests,
        rollsBack,
      },
      shipped,
      rolledBack,
    ),
  ];
}

/** The old caller (recomputeAffected): each deploy of the set once, in key order. */
export async function oracleRecomputeDeploys(tx: Sql, keys: string[]): Promise<MilestoneDraft[]> {
  const milestones: MilestoneDraft[] = [];
  for (const key of [...new Set(keys)].sort()) milestones.push(...(await oracleRecomputeDeploy(tx, key)));
  return milestones;
}

// ---------------------------------------------------------------------------------------------
// End of the reference oracle.
// ---------------------------------------------------------------------------------------------

/** Refs that name what they are asked for, so a draft's data can be compared as plain JSON. */
