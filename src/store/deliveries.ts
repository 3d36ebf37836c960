import { Prisma, type PrismaClient } from "../generated/prisma/client.js";
import type { Delivery, NormalizedEvent, Platform, PlatformRows, Priority, StoredEvent } from "../shared/event.js";
import { jsonParam, type Sql } from "./sql.js";

/**
 * The `raw_deliveries` and `events` tables, the platform rows and `delivery_keys` (which delivery ids are
 * stored): every statement on them is here.
 * A delivery's status (contract §8) is derived: `unprocessable` once `failed_at` is set (with the reason
 * in `error`), `stored` once its event exists, `pending` in between.
 */

export interface Normalized {
  delivery: Delivery;
  event: NormalizedEvent;
}

/** A normalized delivery as correlation reads it: its event with the delivery's id and platform. */
export const toStored = ({ delivery: d, event }: Normalized): StoredEvent => ({
  ...event,
  id: d.id,
  platform: d.platform,
});

/** A field name of prisma/schema/ → its column (every @map there is the snake_case of the field). */
const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toRow = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [column(k), v]));
const byId = <T extends { delivery: { id: string } }>(a: T, b: T) => (a.delivery.id < b.delivery.id ? -1 : 1);

/**
 * Stores the verbatim deliveries, one statement for the batch, committed on its own before
 * anything reads them (contract §8). Returns the ids to process now: those inserted by this call and
 * those stored earlier that are still pending (a job run again after a crash). A redelivery of a
 * known (platform, delivery id) under another id is neither.
 */
export async function storeRawDeliveries(sql: Sql, deliveries: Delivery[]): Promise<Set<string>> {
  if (!deliveries.length) return new Set();
  // Sorted by id, so two batches holding the same deliveries (a stalled job run twice) lock alike.
  const raw = [...deliveries]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((d) => ({
      id: d.id,
      platform: d.platform,
      delivery_id: d.deliveryId,
      received_at: d.receivedAt,
      content_type: d.contentType,
      headers: d.headers,
      body: d.body,
      type: d.type,
      priority: d.priority,
      // Only imports carry it: a webhook's row takes the column's default, its document unchanged.
      ...(d.source ? { source: d.source } : {}),
    }));
  // A partition's unique index holds only its day: a key is claimed in delivery_keys first, in the same
  // statement, and only a delivery that claimed its key is inserted (docs/partitions.md).
  const rows = await sql.query<Array<{ id: string }>>`
    WITH given AS (SELECT * FROM jsonb_populate_recordset(NULL::raw_deliveries, ${jsonParam(raw)}::jsonb)),
    claimed AS (
      INSERT INTO delivery_keys (platform, delivery_id, id) SELECT platform, delivery_id, id FROM given
      ON CONFLICT DO NOTHING
      RETURNING id),
    inserted AS (
      INSERT INTO raw_deliveries (id, platform, delivery_id, received_at, content_type, headers, body, type, priority,
        source)
      SELECT id, platform, delivery_id, received_at, content_type, headers, body, type, priority,
        COALESCE(source, 'webhook') FROM given WHERE id IN (SELECT id FROM claimed)
      ON CONFLICT DO NOTHING
      RETURNING id)
    SELECT id FROM inserted
    UNION ALL
    -- By primary key (OFFSET 0: the planner read every pending delivery through the failed_at index).
    SELECT r.id FROM given g CROSS JOIN LATERAL (SELECT id, failed_at FROM raw_deliveries WHERE id = g.id OFFSET 0) r
    WHERE r.failed_at IS NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = r.id)`;
  return new Set(rows.map((r) => r.id));
}

/** Keeps a delivery as unprocessable with its reason (it stays in raw_deliveries, its event absent). */
export async function markUnprocessable(sql: Sql, id: string, error: string): Promise<void> {
  await sql.execute`
    UPDATE raw_deliveries SET error = ${error.slice(0, 2000)}, failed_at = now() WHERE id = ${id}::uuid`;
}

/**
 * Stores unified events and platform rows, a whole batch per statement (rows travel as one JSON
 * document, read back with the table's own row type). `replace` rewrites events already stored
 * (replays); otherwise one already stored is left as it is. Clears the deliveries' errors.
 * Returns the ids of events that were not stored before (a replay's rewrites are not new).
 */
export async function storeEvents(tx: Sql, batch: Normalized[], replace = false): Promise<Set<string>> {
  if (!batch.length) return new Set();
  const items = [...batch].sort(byId);
  const events = items.map(({ delivery: d, event: e }) => ({
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
  const doc = jsonParam(events);
  const written = replace
    ? // A partitioned table's RETURNING has no xmax: the ids stored before are read in the statement's snapshot
      // (replays only; one committed meanwhile by another transaction would count as new).
      await tx.query<Array<{ id: string; inserted: boolean }>>`
        WITH given AS (SELECT * FROM jsonb_populate_recordset(NULL::events, ${doc}::jsonb)),
        prior AS (SELECT e.id FROM given g CROSS JOIN LATERAL (SELECT id FROM events WHERE id = g.id) e),
        written AS (
          INSERT INTO events (id, platform, type, delivery_id, occurred_at, received_at, actor, subject, keys,
            priority, payload)
          SELECT id, platform, type, delivery_id, occurred_at, received_at, actor, subject, keys, priority, payload
          FROM given
          ON CONFLICT (id) DO UPDATE SET occurred_at = EXCLUDED.occurred_at, actor = EXCLUDED.actor,
            subject = EXCLUDED.subject, keys = EXCLUDED.keys, payload = EXCLUDED.payload
          RETURNING id)
        SELECT id, id NOT IN (SELECT id FROM prior) AS inserted FROM written`
    : await tx.query<Array<{ id: string; inserted?: boolean }>>`
        INSERT INTO events (id, platform, type, delivery_id, occurred_at, received_at, actor, subject, keys, priority,
          payload)
        SELECT id, platform, type, delivery_id, occurred_at, received_at, actor, subject, keys, priority, payload
        FROM jsonb_populate_recordset(NULL::events, ${doc}::jsonb)
        ON CONFLICT DO NOTHING
        RETURNING id`;
  const fresh = new Set(written.map((r) => r.id));
  const added = new Set(written.filter((r) => r.inserted !== false).map((r) => r.id));
  const stored = items.filter(({ delivery }) => fresh.has(delivery.id));
  if (!stored.length) return added;
  await writePlatformRows(
    tx,
    stored.map(({ delivery, event }) => ({ eventId: delivery.id, rows: event.rows })),
    replace,
  );
  if (replace) {
    await tx.execute`UPDATE raw_deliveries SET error = NULL, failed_at = NULL
      WHERE id = ANY(${[...fresh]}::uuid[]) AND failed_at IS NOT NULL`;
  }
  return added;
}

const PLATFORM_TABLES: Record<keyof PlatformRows, Prisma.Sql> = {
  github: Prisma.raw("github_events"),
  slack: Prisma.raw("slack_events"),
  linear: Prisma.raw("linear_events"),
  deployment: Prisma.raw("deployments"),
  incident: Prisma.raw("incident_events"),
  gitlab: Prisma.raw("gitlab_events"),
};

/** Writes events' platform rows, replacing any they had (replays rewrite them). */
async function writePlatformRows(tx: Sql, items: Array<{ eventId: string; rows: PlatformRows }>, replace: boolean) {
  for (const [kind, table] of Object.entries(PLATFORM_TABLES) as Array<[keyof PlatformRows, Prisma.Sql]>) {
    if (replace) await tx.execute`DELETE FROM ${table} WHERE event_id = ANY(${items.map((i) => i.eventId)}::uuid[])`;
    const rows = items.flatMap(({ eventId, rows }) => (rows[kind] ? [toRow({ eventId, ...rows[kind] })] : []));
    if (rows.length) {
      await tx.execute`
        INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, ${jsonParam(rows)}::jsonb)`;
    }
  }
}

export interface RawFilter {
  ids?: string[];
  platform?: Platform;
  since?: Date;
}

/** Stored raw deliveries as the receiver queued them, in id order after `after` (replays). */
export async function readDeliveries(
  prisma: PrismaClient,
  f: RawFilter,
  after: string,
  take: number,
): Promise<Delivery[]> {
  const raws = await prisma.rawDelivery.findMany({
    where: {
      id: f.ids ? { in: f.ids, gt: after } : { gt: after },
      platform: f.platform,
      receivedAt: f.since ? { gte: f.since } : undefined,
    },
    include: { event: { select: { type: true, priority: true } } },
    orderBy: { id: "asc" },
    take,
  });
  return raws.flatMap((raw) => {
    const type = raw.type ?? raw.event?.type;
    const priority = raw.priority ?? raw.event?.priority;
    if (!type || !priority) return [];
    return [
      {
        id: raw.id,
        platform: raw.platform as Platform,
        deliveryId: raw.deliveryId,
        receivedAt: raw.receivedAt.toISOString(),
        contentType: raw.contentType,
        headers: raw.headers as Record<string, string>,
        body: raw.body,
        type,
        priority: priority as Priority,
      },
    ];
  });
}

/** How many stored raw deliveries `f` selects (what a replay has to do, for its progress). */
export async function countDeliveries(prisma: PrismaClient, f: RawFilter): Promise<number> {
  return prisma.rawDelivery.count({
    where: {
      id: f.ids ? { in: f.ids } : undefined,
      platform: f.platform,
      receivedAt: f.since ? { gte: f.since } : undefined,
    },
  });
}

/** The delivery ids of `platform` among `ids` that are stored (the GitHub reconciler's question). */
export async function storedDeliveryIds(prisma: PrismaClient, platform: Platform, ids: string[]): Promise<Set<string>> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    SELECT delivery_id AS id FROM delivery_keys WHERE platform = ${platform} AND delivery_id = ANY(${ids})`;
  return new Set(rows.map((r) => r.id));
}

/**
 * The ids of `platform`'s stored deliveries among `deliveryIds`, by delivery id: a publisher's repeat
 * after the queue's deduplication window is answered with the first one's id (api/publish.ts).
 */
export async function storedDeliveries(
  sql: Sql,
  platform: Platform,
  deliveryIds: string[],
): Promise<Map<string, string>> {
  if (!deliveryIds.length) return new Map();
  const rows = await sql.query<Array<{ id: string; deliveryId: string }>>`
    SELECT id, delivery_id AS "deliveryId" FROM delivery_keys WHERE platform = ${platform} AND delivery_id = ANY(${deliveryIds})`;
  return new Map(rows.map((r) => [r.deliveryId, r.id]));
}
