import type { DigestPeriod, Where } from "../shared/outbound.js";
import { jsonParam, type Sql } from "./sql.js";

/**
 * The `digest_periods` table (docs/outbound.md "Slack digests"), and the digest subscriptions it is
 * kept for: every statement on them is here.
 */

/** An enabled Slack digest subscription, as the digest scheduler reads it. */
export interface DigestSubscriber {
  id: string;
  digest: DigestPeriod;
  types: string[];
  where: Where;
  /** Its last change: periods that ended before it are not posted. */
  updatedAt: Date;
}

export async function digestSubscribers(sql: Sql): Promise<DigestSubscriber[]> {
  return sql.query<DigestSubscriber[]>`
    SELECT id, digest, types, "where", updated_at AS "updatedAt" FROM subscriptions
    WHERE enabled AND kind = 'slack' AND digest IN ('hourly', 'daily') ORDER BY id`;
}

/** Periods already decided for these subscriptions since `from`, as `subscription|period|start ISO`. */
export async function decidedPeriods(sql: Sql, ids: string[], from: Date): Promise<Set<string>> {
  const rows = await sql.query<Array<{ subscriptionId: string; period: string; periodStart: Date }>>`
    SELECT subscription_id AS "subscriptionId", period, period_start AS "periodStart" FROM digest_periods
    WHERE subscription_id = ANY(${ids}::uuid[]) AND period_start >= ${from}`;
  return new Set(rows.map((r) => periodKey(r.subscriptionId, r.period, r.periodStart)));
}

export const periodKey = (subscriptionId: string, period: string, start: Date) =>
  `${subscriptionId}|${period}|${start.toISOString()}`;

export interface DigestDecision {
  subscriptionId: string;
  period: DigestPeriod;
  start: Date;
  /** The summary message to insert, or null: nothing to tell this period. */
  message: { id: string; type: string; payload: unknown } | null;
}

/**
 * Decides a period once: records it and inserts its message (due now) in one statement; a period
 * another worker (or an earlier run) decided is left as it is. Returns the new message's id, if one
 * was inserted.
 */
export async function decidePeriod(sql: Sql, d: DigestDecision): Promise<string | null> {
  const [row] = await sql.query<Array<{ id: string }>>`
    WITH claimed AS (
      INSERT INTO digest_periods (subscription_id, period, period_start, message_id)
      VALUES (${d.subscriptionId}::uuid, ${d.period}, ${d.start}, ${d.message?.id ?? null}::uuid)
      ON CONFLICT DO NOTHING RETURNING message_id)
    INSERT INTO outbound_messages (id, subscription_id, type, payload, next_attempt_at)
    SELECT claimed.message_id, ${d.subscriptionId}::uuid, ${d.message?.type ?? ""},
      ${jsonParam(d.message?.payload ?? null)}::jsonb, now()
    FROM claimed WHERE claimed.message_id IS NOT NULL
    RETURNING id`;
  return row?.id ?? null;
}
