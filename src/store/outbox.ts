import type { PrismaClient } from "../generated/prisma/client.js";
import type { OutboxItem } from "../outbound/contract.js";

type Row = Omit<OutboxItem, "position" | "createdAt"> & { position: bigint | string; createdAt: Date };

const toItem = (r: Row): OutboxItem => ({ ...r, position: String(r.position), createdAt: r.createdAt.toISOString() });

/**
 * Relayed outbox rows after `position`, in order: the live stream's history (SPEC §10). An event's
 * data is the unified event without its payload, read from `events`.
 */
export async function readOutbox(prisma: PrismaClient, after: bigint, limit: number): Promise<OutboxItem[]> {
  const rows = await prisma.$queryRaw<Row[]>`
    SELECT o.position, o.id, o.kind, o.type, o.platform, o.repository, o.environment, o.subject,
           o.created_at AS "createdAt",
           COALESCE(o.data, jsonb_build_object('id', e.id, 'platform', e.platform, 'type', e.type,
             'deliveryId', e.delivery_id, 'occurredAt', e.occurred_at, 'receivedAt', e.received_at, 'actor', e.actor,
             'subject', e.subject, 'keys', e.keys, 'priority', e.priority)) AS data
    FROM outbox o LEFT JOIN events e ON o.kind = 'event' AND e.id = o.id
    WHERE o.position > ${after} ORDER BY o.position LIMIT ${limit}`;
  return rows.map(toItem);
}

/** The position of a relayed message by its id (`Last-Event-ID`), or null when unknown or not relayed yet. */
export async function positionOf(prisma: PrismaClient, id: string): Promise<bigint | null> {
  const [row] = await prisma.$queryRaw<Array<{ position: bigint | null }>>`
    SELECT position FROM outbox WHERE id = ${id}::uuid`;
  return row?.position ?? null;
}

/** The last relayed position (0 when nothing is): where a stream without `Last-Event-ID` starts. */
export async function lastPosition(prisma: PrismaClient): Promise<bigint> {
  const [row] = await prisma.$queryRaw<Array<{ p: bigint | null }>>`SELECT max(position) AS p FROM outbox`;
  return row?.p ?? 0n;
}
