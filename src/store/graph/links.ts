import type { LinkFact } from "../../correlate/facts.js";
import { jsonParam, type Sql as Tx } from "../sql.js";

export interface LinkWrite {
  link: LinkFact;
  evidence: string[];
}

const linkId = (l: LinkFact) => `${l.from}\u001f${l.to}\u001f${l.relation}\u001f${l.rule}`;

/**
 * Links keyed by linkId as `links` rows: sorted, so concurrent batches lock shared links in one
 * order; evidence sorted too.
 */
const linkRows = (byId: Map<string, LinkFact & { evidence: Iterable<string> }>) =>
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

/**
 * One link per (from, to, relation, rule): further evidence joins the first instead of making
 * another link. Writes a batch's links in one statement, merged first (a statement may not
 * update a row twice). Evidence is kept sorted so the row is the same in any arrival order.
 * Returns the links that are new.
 */
export async function upsertLinks(tx: Tx, writes: LinkWrite[]): Promise<LinkFact[]> {
  const merged = new Map<string, LinkFact & { evidence: Set<string> }>();
  for (const { link: l, evidence } of writes) {
    const id = linkId(l);
    const row = merged.get(id) ?? { ...l, evidence: new Set<string>() };
    row.confidence = Math.max(row.confidence, l.confidence);
    for (const e of evidence) row.evidence.add(e);
    merged.set(id, row);
  }
  if (!merged.size) return [];
  // xmax = 0 marks a row this statement inserted (an updated one carries the updating transaction).
  const rows = await tx.query<Array<LinkFact & { created: boolean }>>`
    INSERT INTO links (from_key, to_key, relation, rule, confidence, evidence)
    SELECT from_key, to_key, relation, rule, confidence, evidence FROM jsonb_populate_recordset(NULL::links,
      ${jsonParam(linkRows(merged))}::jsonb)
    ON CONFLICT (from_key, to_key, relation, rule) DO UPDATE SET
      evidence = ARRAY(SELECT DISTINCT e FROM unnest(links.evidence || EXCLUDED.evidence) e ORDER BY e),
      confidence = GREATEST(links.confidence, EXCLUDED.confidence),
      updated_at = now()
    WHERE NOT (links.evidence @> EXCLUDED.evidence) OR EXCLUDED.confidence > links.confidence
    RETURNING from_key AS "from", to_key AS "to", relation, rule, confidence, xmax = 0 AS created`;
  return rows.filter((r) => r.created);
}

/**
 * Replaces the links of each source made by `rules` with exactly its `links` (derived links,
 * recomputed whole), every source in one statement. Returns, per source, the links created and
 * how many were removed.
 */
export async function replaceLinks(
  tx: Tx,
  rules: string[],
  sources: Array<{ from: string; links: Array<LinkFact & { evidence: string[] }> }>,
): Promise<Map<string, { created: LinkFact[]; removed: number }>> {
  const result = new Map<string, { created: LinkFact[]; removed: number }>();
  if (!sources.length) return result;
  const froms = sources.map((s) => s.from);
  const all = sources.flatMap((s) => s.links);
  const rows = linkRows(new Map(all.map((l) => [linkId(l), l])));
  // One round trip: the DELETE runs as a data-modifying CTE; it and the upsert touch disjoint rows.
  // xmax = 0 marks a row the upsert inserted: what the range gained (contract §9 milestones).
  const answered = await tx.query<Array<{ from: string; created: LinkFact[]; removed: number }>>`
    WITH input AS (
      SELECT from_key, to_key, relation, rule, confidence, evidence FROM jsonb_populate_recordset(NULL::links,
        ${jsonParam(rows)}::jsonb)),
    -- Found through the sources alone (the unique index leads with from_key; OFFSET 0 keeps the
    -- planner from also reading every derived link through the rule index), kept ones looked up hashed.
    gone AS (
      DELETE FROM links WHERE id IN (
        SELECT l.id FROM unnest(${froms}::text[]) AS s(key)
        CROSS JOIN LATERAL (SELECT id, from_key, to_key, relation, rule FROM links WHERE from_key = s.key OFFSET 0) l
        WHERE l.rule = ANY(${rules}::text[])
          AND (l.from_key, l.to_key, l.relation, l.rule) NOT IN (SELECT from_key, to_key, relation, rule FROM input))
      RETURNING from_key),
    written AS (
      INSERT INTO links (from_key, to_key, relation, rule, confidence, evidence)
      SELECT from_key, to_key, relation, rule, confidence, evidence FROM input
      ON CONFLICT (from_key, to_key, relation, rule) DO UPDATE SET
        evidence = EXCLUDED.evidence, confidence = EXCLUDED.confidence, updated_at = now()
      WHERE links.evidence <> EXCLUDED.evidence OR links.confidence <> EXCLUDED.confidence
      RETURNING from_key, to_key, relation, rule, confidence, xmax = 0 AS created),
    created AS (
      SELECT from_key, jsonb_agg(jsonb_build_object('from', from_key, 'to', to_key, 'relation', relation,
        'rule', rule, 'confidence', confidence)) AS links
      FROM written WHERE created GROUP BY from_key),
    removed AS (SELECT from_key, count(*)::int AS n FROM gone GROUP BY from_key)
    SELECT f AS "from", COALESCE(c.links, '[]') AS created, COALESCE(r.n, 0) AS removed
    FROM unnest(${froms}::text[]) AS f
    LEFT JOIN created c ON c.from_key = f LEFT JOIN removed r ON r.from_key = f`;
  for (const r of answered) result.set(r.from, { created: r.created, removed: r.removed });
  return result;
}
