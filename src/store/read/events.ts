import type pg from "pg";
import { Prisma } from "../../generated/prisma/client.js";
import type { Platform } from "../../shared/event.js";
import { globToLike } from "../../shared/glob.js";
import { onConnection } from "../sql.js";
import type { z } from "zod";
import type { EventDetailSchema, EventPageSchema, EventSchema } from "../../api/schemas/events.js";
import { encodeCursor, pageOf, type Cursor } from "./cursor.js";

/** An events row as the API answers it (api/schemas/events.ts). */
type EventRow = z.output<typeof EventSchema>;

export interface EventQuery {
  platform?: Platform;
  type?: string;
  subject?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor: Cursor | null;
}

const EVENT_COLUMNS = Prisma.sql`id, platform, type, delivery_id AS "deliveryId", occurred_at AS "occurredAt",
  received_at AS "receivedAt", actor, subject, keys, priority, payload`;

/** `GET /api/events` (contract §6): newest first, keyset paging over (occurred_at, id). */
export async function listEvents(pool: pg.Pool, q: EventQuery): Promise<z.output<typeof EventPageSchema>> {
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (q.platform) where.push(Prisma.sql`platform = ${q.platform}`);
  if (q.type) where.push(Prisma.sql`type LIKE ${globToLike(q.type)}`);
  if (q.subject) where.push(Prisma.sql`subject = ${q.subject}`);
  if (q.since) where.push(Prisma.sql`occurred_at >= ${q.since}`);
  if (q.until) where.push(Prisma.sql`occurred_at < ${q.until}`);
  if (q.cursor) where.push(Prisma.sql`(occurred_at, id) < (${q.cursor.occurredAt}, ${q.cursor.id}::uuid)`);
  const rows = await onConnection(
    pool,
    (sql) => sql.query<EventRow[]>`
      SELECT ${EVENT_COLUMNS} FROM events WHERE ${Prisma.join(where, " AND ")}
      ORDER BY occurred_at DESC, id DESC LIMIT ${q.limit + 1}`,
  );
  return pageOf(rows, q.limit, encodeCursor);
}

const ROW_TABLES = {
  github: Prisma.sql`github_events`,
  slack: Prisma.sql`slack_events`,
  linear: Prisma.sql`linear_events`,
  deployment: Prisma.sql`deployments`,
  incident: Prisma.sql`incident_events`,
  gitlab: Prisma.sql`gitlab_events`,
} as const;

/** Columns → the schema's field names (every @map in prisma/schema/ is the snake_case of its field). */
const camelCase = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), v]),
  );

/** A raw delivery as the event's detail answers it. */
type RawRow = NonNullable<z.output<typeof EventDetailSchema>["raw"]>;

/** `GET /api/events/:id` (contract §6): the unified event, its platform rows and its raw delivery. */
export function getEvent(pool: pg.Pool, id: string): Promise<z.output<typeof EventDetailSchema> | null> {
  return onConnection(pool, async (sql) => {
    const [event] = await sql.query<EventRow[]>`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ${id}::uuid`;
    if (!event) return null;
    const rows: Record<string, Record<string, unknown>> = {};
    for (const [name, table] of Object.entries(ROW_TABLES)) {
      const [row] = await sql.query<
        Array<Record<string, unknown>>
      >`SELECT * FROM ${table} WHERE event_id = ${id}::uuid`;
      if (row) rows[name] = camelCase(row);
    }
    const [raw] = await sql.query<RawRow[]>`
      SELECT content_type AS "contentType", headers, body, received_at AS "receivedAt", source FROM raw_deliveries
        WHERE id = ${id}::uuid`;
    return { event, rows, raw };
  });
}

/** A published custom type (`custom.<source>.<name>`) and, when asked, the data of its latest event. */
export interface PublishedType {
  type: string;
  example?: unknown;
}

/** At most this many distinct custom types are read: the catalog and the subscription check stay bounded. */
const PUBLISHED_TYPES_MAX = 1000;

/**
 * The distinct custom types published so far, in order. A loose index scan of the `type` index
 * (text_pattern_ops, hence `~>~`): one index probe per distinct type, however many events each has.
 */
export function publishedTypes(pool: pg.Pool, withExamples: boolean): Promise<PublishedType[]> {
  return onConnection(
    pool,
    (sql) =>
      sql.query<PublishedType[]>`
      WITH RECURSIVE t(type, n) AS (
        (SELECT type, 1 FROM events WHERE type LIKE 'custom.%' ORDER BY type USING ~<~ LIMIT 1)
        UNION ALL
        SELECT (SELECT e.type FROM events e WHERE e.type LIKE 'custom.%' AND e.type ~>~ t.type
                ORDER BY e.type USING ~<~ LIMIT 1), t.n + 1
        FROM t WHERE t.type IS NOT NULL AND t.n < ${PUBLISHED_TYPES_MAX})
      SELECT t.type, ${
        withExamples
          ? Prisma.sql`(SELECT e.payload FROM events e WHERE e.type = t.type ORDER BY e.occurred_at DESC LIMIT 1)`
          : Prisma.sql`NULL`
      } AS example
      FROM t WHERE t.type IS NOT NULL ORDER BY t.n`,
  );
}
