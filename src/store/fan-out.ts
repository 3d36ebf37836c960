import { jsonParam, type Sql as Tx } from "./sql.js";
import type { MessageBody } from "../outbound/contract.js";
import type { Where } from "../outbound/match.js";

export interface Subscriber {
  id: string;
  types: string[];
  where: Where;
}

/** The enabled subscriptions' filters: read by the relay on each step (a small table). */
export async function enabledSubscribers(tx: Tx): Promise<Subscriber[]> {
  return tx.query<Subscriber[]>`SELECT id, types, "where" FROM subscriptions WHERE enabled ORDER BY id`;
}

export interface NewMessage {
  id: string;
  subscriptionId: string;
  outboxId: string;
  type: string;
  payload: MessageBody;
}

/** Adds messages for their first attempt, now; one already made for (subscription, outbox row) is kept. Returns the new ids. */
export async function insertMessages(tx: Tx, messages: NewMessage[]): Promise<string[]> {
  if (!messages.length) return [];
  const rows = messages.map((m) => ({
    id: m.id,
    subscription_id: m.subscriptionId,
    outbox_id: m.outboxId,
    type: m.type,
    payload: m.payload,
  }));
  const added = await tx.query<Array<{ id: string }>>`
    INSERT INTO outbound_messages (id, subscription_id, outbox_id, type, payload, next_attempt_at)
    SELECT id, subscription_id, outbox_id, type, payload, now()
    FROM jsonb_populate_recordset(NULL::outbound_messages, ${jsonParam(rows)}::jsonb)
    ON CONFLICT (subscription_id, outbox_id) DO NOTHING RETURNING id`;
  return added.map((r) => r.id);
}
