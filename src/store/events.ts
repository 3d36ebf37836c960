import type pg from "pg";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Platform, PlatformRows, StoredEvent } from "../shared/event.js";
import { onConnection } from "./sql.js";

const strip = <T extends { eventId: string }>(row: T | null): Omit<T, "eventId"> | undefined => {
  if (!row) return undefined;
  const { eventId: _id, ...rest } = row;
  return rest;
};

/** Stored events as correlation reads them (unified event plus platform rows), in id order. */
export async function loadStoredEvents(prisma: PrismaClient, ids: string[]): Promise<StoredEvent[]> {
  const rows = await prisma.event.findMany({
    where: { id: { in: ids } },
    include: { github: true, slack: true, linear: true, deployment: true, incident: true },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => ({
    id: r.id,
    platform: r.platform as Platform,
    type: r.type,
    occurredAt: r.occurredAt,
    actor: r.actor,
    subject: r.subject,
    keys: r.keys,
    payload: r.payload,
    rows: {
      github: strip(r.github),
      slack: strip(r.slack),
      linear: strip(r.linear),
      deployment: strip(r.deployment),
      incident: strip(r.incident),
    } as PlatformRows,
  }));
}

/** Stored events whose type matches a LIKE pattern (a rule's `on` glob): how many there are. */
export async function countEventsOfType(pool: pg.Pool, like: string): Promise<number> {
  const [row] = await onConnection(
    pool,
    (sql) => sql.query<Array<{ total: number }>>`SELECT count(*)::int AS total FROM events WHERE type LIKE ${like}`,
  );
  return row?.total ?? 0;
}

/** The next `take` ids after `after`, in id order, of events whose type matches `like`. */
export async function eventIdsOfType(pool: pg.Pool, like: string, after: string, take: number): Promise<string[]> {
  const rows = await onConnection(
    pool,
    (sql) =>
      sql.query<Array<{ id: string }>>`
      SELECT id FROM events WHERE type LIKE ${like} AND id > ${after}::uuid ORDER BY id LIMIT ${take}`,
  );
  return rows.map((r) => r.id);
}
