/** Shared by the graph tests (graph*.test.ts): reading back what applyFacts wrote. */
import { BUILTIN_RULES } from "../../../src/correlate/builtin-rules.js";
import type { Sql } from "../../../src/store/sql.js";

/** `to → confidence` of a key's links of one relation. */
export async function outgoing(t: Sql, from: string, relation: string): Promise<Record<string, number>> {
  const rows = await t.query<Array<{ to: string; confidence: number }>>`
    SELECT to_key AS "to", confidence FROM links WHERE from_key = ${from} AND relation = ${relation}`;
  return Object.fromEntries(rows.map((r) => [r.to, r.confidence]));
}

export async function deployRow(t: Sql, key: string) {
  const [row] = await t.query<Array<{ previousKey: string | null; rangeKnown: boolean; service: string }>>`
    SELECT previous_key AS "previousKey", range_known AS "rangeKnown", service FROM deploys WHERE key = ${key}`;
  return row;
}

export const CONTAINS_BRANCH = BUILTIN_RULES["pr-branch-push"].confidence;
