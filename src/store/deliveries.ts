import { Prisma } from "../generated/prisma/client.js";
import type { Delivery, NormalizedEvent, PlatformRows } from "../shared/event.js";
import { jsonParam, type Sql } from "./sql.js";

export interface Normalized {
  delivery: Delivery;
  event: NormalizedEvent;
}

/** A field name of prisma/schema.prisma → its column (every @map there is the snake_case of the field). */
const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toRow = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [column(k), v]));

/**
 * Stores raw deliveries, their unified events and platform rows, a whole batch per statement
 * (rows travel as one JSON document, read back with the table's own row type).
 * Idempotent: a delivery already stored (same id, or same platform and delivery id) is left as it
 * is, so a retried or redelivered job changes nothing. Returns the ids stored now.
 */
export async function storeEvents(tx: Sql, batch: Normalized[]): Promise<Set<string>> {
  if (!batch.length) return new Set();
  // Sorted by id, so two batches holding the same deliveries (a stalled job run twice) lock alike.
  const items = [...batch].sort((a, b) => (a.delivery.id < b.delivery.id ? -1 : 1));
  const raw = items.map(({ delivery: d }) => ({
    id: d.id,
    platform: d.platform,
    delivery_id: d.deliveryId,
    received_at: d.receivedAt,
    content_type: d.contentType,
    headers: d.headers,
    body: d.body,
  }));
  const inserted = await tx.query<Array<{ id: string }>>`
    INSERT INTO raw_deliveries (id, platform, delivery_id, received_at, content_type, headers, body)
    SELECT id, platform, delivery_id, received_at, content_type, headers, body
    FROM jsonb_populate_recordset(NULL::raw_deliveries, ${jsonParam(raw)}::jsonb)
    ON CONFLICT DO NOTHING
    RETURNING id`;
  const fresh = new Set(inserted.map((r) => r.id));
  const stored = items.filter(({ delivery }) => fresh.has(delivery.id));
  if (!stored.length) return fresh;
  const events = stored.map(({ delivery: d, event: e }) => ({
    id: d.id,
    platform: d.platform,
    type: e.type,
    delivery_id: d.deliveryId,
    occurred_at: e.occurredAt,
    received_at: d.receivedAt,
    actor: e.actor,
    subject: e.subject,
    keys: e.keys,
    priority: d.priority,
    payload: e.payload,
  }));
  await tx.execute`
    INSERT INTO events (id, platform, type, delivery_id, occurred_at, received_at, actor, subject, keys, priority, payload)
    SELECT id, platform, type, delivery_id, occurred_at, received_at, actor, subject, keys, priority, payload
    FROM jsonb_populate_recordset(NULL::events, ${jsonParam(events)}::jsonb)`;
  await writePlatformRows(
    tx,
    stored.map(({ delivery, event }) => ({ eventId: delivery.id, rows: event.rows })),
  );
  return fresh;
}

const PLATFORM_TABLES: Record<keyof PlatformRows, Prisma.Sql> = {
  github: Prisma.raw("github_events"),
  slack: Prisma.raw("slack_events"),
  linear: Prisma.raw("linear_events"),
  deployment: Prisma.raw("deployments"),
};

/** Writes events' platform rows, replacing any they had (replays rewrite them). */
export async function writePlatformRows(tx: Sql, items: Array<{ eventId: string; rows: PlatformRows }>, replace = false): Promise<void> {
  for (const [kind, table] of Object.entries(PLATFORM_TABLES) as Array<[keyof PlatformRows, Prisma.Sql]>) {
    if (replace) await tx.execute`DELETE FROM ${table} WHERE event_id = ANY(${items.map((i) => i.eventId)}::uuid[])`;
    const rows = items.flatMap(({ eventId, rows }) => (rows[kind] ? [toRow({ eventId, ...rows[kind] })] : []));
    if (rows.length) await tx.execute`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, ${jsonParam(rows)}::jsonb)`;
  }
}
