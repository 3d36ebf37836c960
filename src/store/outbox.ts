import { v7 as uuidv7 } from "uuid";
import { Prisma, type PrismaClient } from "../generated/prisma/client.js";
import type { DeployRef, EntityRef, OutboxItem } from "../shared/outbound.js";
import type { MilestoneDraft, Refs } from "../correlate/milestones.js";
import type { Normalized } from "./deliveries.js";
import { jsonParam, type Sql as Tx } from "./sql.js";

/** The channel a transaction that wrote to the outbox notifies on commit: it wakes the relay. */
export const RELAY_CHANNEL = "switchyard_outbox";

/** Where-fields of an event (contract §9 `where`): its repository and environment, from its platform rows. */
function eventWhere({ event }: Normalized) {
  const deployment = event.rows.deployment;
  return {
    repository: deployment?.repository ?? event.rows.github?.repository ?? event.rows.gitlab?.repository ?? null,
    environment: deployment?.environment ?? null,
  };
}

/**
 * Puts newly stored events in the outbox, in their transaction (their data is read from `events`
 * when relayed), and notifies the relay on commit: one statement.
 */
export async function recordEvents(tx: Tx, items: Normalized[]): Promise<void> {
  if (!items.length) return;
  const rows = items.map((n) => ({
    id: n.delivery.id,
    kind: "event",
    type: n.event.type,
    platform: n.delivery.platform,
    subject: n.event.subject,
    ...eventWhere(n),
  }));
  await tx.query`
    WITH added AS (
      INSERT INTO outbox (id, kind, type, platform, repository, environment, subject)
      SELECT id, kind, type, platform, repository, environment, subject
      FROM jsonb_populate_recordset(NULL::outbox, ${jsonParam(rows)}::jsonb)
      ON CONFLICT DO NOTHING RETURNING 1)
    SELECT pg_notify(${RELAY_CHANNEL}, '') FROM (SELECT 1 FROM added LIMIT 1) AS any_added`;
}

/** The entities and deploys milestones name, read once for the batch. */
async function readRefs(tx: Tx, drafts: MilestoneDraft[]): Promise<Refs> {
  const entityKeys = [...new Set(drafts.flatMap((d) => d.entities))];
  const deployKeys = [...new Set(drafts.flatMap((d) => d.deploys))];
  const entities = entityKeys.length
    ? await tx.query<EntityRef[]>`SELECT key, title, url FROM entities WHERE key = ANY(${entityKeys})`
    : [];
  const deploys = deployKeys.length
    ? await tx.query<Array<Omit<DeployRef, "at"> & { at: Date }>>`
        SELECT key, repository, service, environment, sha, status, url, at FROM deploys WHERE key = ANY(${deployKeys})`
    : [];
  const byKey = new Map(entities.map((e) => [e.key, e]));
  const deployByKey = new Map(deploys.map((d) => [d.key, { ...d, at: d.at.toISOString() }]));
  return {
    entity: (key) => byKey.get(key) ?? { key, title: null, url: null },
    deploy: (key) => deployByKey.get(key)!,
  };
}

/**
 * Writes milestones in the transaction of the graph change they tell of (contract §9), once per fact
 * key: a fact told before (by another arrival order, a replay) is not told again.
 */
export async function writeMilestones(tx: Tx, drafts: MilestoneDraft[]): Promise<void> {
  if (!drafts.length) return;
  const seen = new Set<string>();
  const unique = drafts.filter((d) => d.factKey === null || (!seen.has(d.factKey) && seen.add(d.factKey)));
  const refs = await readRefs(tx, unique);
  // Sorted by fact key: concurrent transactions meeting on the same facts wait in one order.
  const rows = unique
    .map((d) => ({
      id: uuidv7(),
      kind: "milestone",
      type: d.type,
      fact_key: d.factKey,
      subject: d.subject,
      repository: d.repository,
      environment: d.environment,
      data: d.data(refs),
    }))
    .sort((a, b) => ((a.fact_key ?? "") < (b.fact_key ?? "") ? -1 : 1));
  // The fact is claimed in outbox_facts (unpartitioned, never dropped), and only a claimed one is written.
  await tx.query`
    WITH given AS (SELECT * FROM jsonb_populate_recordset(NULL::outbox, ${jsonParam(rows)}::jsonb)),
    claimed AS (
      INSERT INTO outbox_facts (fact_key, id) SELECT fact_key, id FROM given WHERE fact_key IS NOT NULL
      ON CONFLICT DO NOTHING RETURNING id),
    added AS (
      INSERT INTO outbox (id, kind, type, fact_key, repository, environment, subject, data)
      SELECT id, kind, type, fact_key, repository, environment, subject, data
      FROM given WHERE fact_key IS NULL OR id IN (SELECT id FROM claimed)
      ON CONFLICT DO NOTHING RETURNING 1)
    SELECT pg_notify(${RELAY_CHANNEL}, '') FROM (SELECT 1 FROM added LIMIT 1) AS any_added`;
}

type Row = Omit<OutboxItem, "position" | "createdAt"> & { position: bigint | string; createdAt: Date };

const toItem = (r: Row): OutboxItem => ({ ...r, position: String(r.position), createdAt: r.createdAt.toISOString() });

/** An outbox row `o` as relayed: an event's data is the unified event without its payload, from `events e`. */
const ITEM_COLUMNS = Prisma.sql`o.position, o.id, o.kind, o.type, o.platform, o.repository, o.environment,
  o.subject, o.created_at AS "createdAt",
  COALESCE(o.data, jsonb_build_object('id', e.id, 'platform', e.platform, 'type', e.type,
    'deliveryId', e.delivery_id, 'occurredAt', e.occurred_at, 'receivedAt', e.received_at, 'actor', e.actor,
    'subject', e.subject, 'keys', e.keys, 'priority', e.priority)
    -- A published event's subscribers get what its publisher sent (no platform payload is relayed otherwise).
    || CASE WHEN e.platform = 'custom' THEN jsonb_build_object('data', e.payload->'data') ELSE '{}'::jsonb END) AS data`;

/** Relayed outbox rows after `position`, in order: the live stream's history (contract §10). */
export async function readOutbox(prisma: PrismaClient, after: bigint, limit: number): Promise<OutboxItem[]> {
  const rows = await prisma.$queryRaw<Row[]>`
    SELECT ${ITEM_COLUMNS}
    FROM outbox o LEFT JOIN events e ON o.kind = 'event' AND e.id = o.id
    WHERE o.position > ${after} ORDER BY o.position LIMIT ${limit}`;
  return rows.map(toItem);
}

/**
 * The relay's step: numbers up to `limit` rows not yet relayed, oldest first, after the last
 * position; returns them as relayed. Only one transaction may number at a time (the relay's lock),
 * so positions are gap-free and committed in order.
 */
export async function numberOutbox(tx: Tx, limit: number): Promise<OutboxItem[]> {
  const rows = await tx.query<Row[]>`
    WITH picked AS (
      SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM (
        SELECT id, created_at FROM outbox WHERE position IS NULL ORDER BY created_at, id LIMIT ${limit}) AS p),
    last AS (SELECT COALESCE(max(position), 0) AS m FROM outbox),
    o AS (
      UPDATE outbox SET position = last.m + picked.n FROM picked, last WHERE outbox.id = picked.id
      RETURNING outbox.*)
    SELECT ${ITEM_COLUMNS}
    FROM o LEFT JOIN events e ON o.kind = 'event' AND e.id = o.id
    ORDER BY o.position`;
  return rows.map(toItem);
}

/** Rows not yet relayed (the relay's backlog; a partial index holds just these). */
export async function unrelayedCount(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<
    Array<{ n: number }>
  >`SELECT count(*)::int AS n FROM outbox WHERE position IS NULL`;
  return row?.n ?? 0;
}

/** Takes the relay's lock for this transaction, if no other relay of this schema holds it. */
export async function tryRelayLock(tx: Tx): Promise<boolean> {
  const [row] = await tx.query<Array<{ locked: boolean }>>`
    SELECT pg_try_advisory_xact_lock(hashtext('switchyard relay ' || current_schema())) AS locked`;
  return row!.locked;
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

/**
 * A digest's rows (outbound/digest): the period's milestones of `types` and its critical deploy
 * events (failed deploys), in stored order, at most `limit` (through `outbox_digest_idx`).
 */
export async function readDigestRows(
  sql: Tx,
  from: Date,
  to: Date,
  types: readonly string[],
  limit: number,
): Promise<OutboxItem[]> {
  const rows = await sql.query<Array<Omit<Row, "position"> & { position: bigint | string | null }>>`
    SELECT ${ITEM_COLUMNS}
    FROM outbox o LEFT JOIN events e ON o.kind = 'event' AND e.id = o.id
    WHERE o.created_at >= ${from} AND o.created_at < ${to}
      AND (o.kind = 'milestone' OR o.environment IS NOT NULL)
      AND ((o.kind = 'milestone' AND o.type = ANY(${[...types]}::text[]))
        OR (o.kind = 'event' AND e.priority = 'critical'))
    ORDER BY o.created_at, o.id LIMIT ${limit}`;
  return rows.map((r) => toItem({ ...r, position: r.position ?? "" }));
}
