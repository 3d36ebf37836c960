import { LOWEST_UUID } from "../shared/bounds.js";
import type pg from "pg";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { MessageBody, SubscriptionTarget } from "../shared/outbound.js";
import type { MESSAGE_STATUSES } from "../api/schemas/subscriptions.js";
import { jsonParam, onConnection, type Sql } from "./sql.js";
import { openSecrets } from "./subscriptions.js";

/** The `outbound_messages` and `outbound_attempts` tables (contract §9): every statement on them is here. */

/** A message's status, as the API lists them (api/schemas/subscriptions.ts). */
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A message to queue that no outbox row produced (`switchyard.test`). */
export interface NewMessage {
  id: string;
  subscriptionId: string;
  type: string;
  payload: MessageBody;
}

/** A message the relay made of an outbox row for a subscription. */
export interface RelayedMessage extends NewMessage {
  outboxId: string;
}

/**
 * Adds the relay's messages for their first attempt, now, in its transaction; one already made for
 * (subscription, outbox row) is kept. Returns the new ids.
 */
export async function insertRelayed(tx: Sql, messages: RelayedMessage[]): Promise<string[]> {
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

/**
 * Inserts messages due now (pending, no attempt yet). False when their subscription is gone
 * (deleted meanwhile: the foreign key refuses the rows).
 */
export async function insertMessages(prisma: PrismaClient, messages: NewMessage[]): Promise<boolean> {
  const now = new Date();
  try {
    await prisma.outboundMessage.createMany({
      data: messages.map((m) => ({ ...m, payload: m.payload as object, outboxId: null, nextAttemptAt: now })),
    });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "P2003") return false;
    throw err;
  }
}

/** A message with what sending it needs, as the delivery worker loads it. */
export interface LoadedMessage {
  id: string;
  status: MessageStatus;
  attempts: number;
  /** The payload's JSON text as stored: the bytes sent. */
  body: string;
  /** What its sender needs, the health the worker updates and the options it honours (issue 18). */
  subscription: SubscriptionTarget & DeliveryState;
}

/** A subscription's state and options as the delivery worker reads them with each message. */
export interface DeliveryState {
  enabled: boolean;
  failingSince: Date | null;
  rateLimit: number | null;
  maxInFlight: number | null;
  breakerFailures: number;
  breakerOpenUntil: Date | null;
}

/** Messages by id, with their subscriptions, in one query; a deleted one is absent. */
export async function loadMessages(pool: pg.Pool, ids: string[]): Promise<Map<string, LoadedMessage>> {
  const rows = await onConnection(
    pool,
    (sql) => sql.query<Array<Omit<LoadedMessage, "subscription"> & { s: LoadedMessage["subscription"] }>>`
      SELECT m.id, m.status, m.attempts, m.payload::text AS body,
        json_build_object('id', s.id, 'name', s.name, 'kind', s.kind, 'url', s.url, 'channel', s.channel,
          'moveTo', s.move_to, 'dispatch', s.dispatch, 'secrets', s.secrets, 'enabled', s.enabled,
          'failingSince', s.failing_since, 'rateLimit', s.rate_limit, 'maxInFlight', s.max_in_flight,
          'breakerFailures', s.breaker_failures, 'breakerOpenUntil', s.breaker_open_until) AS s
      FROM outbound_messages m JOIN subscriptions s ON s.id = m.subscription_id
      WHERE m.id = ANY(${ids}::uuid[])`,
  );
  // json_build_object gives the time as text; the url and secrets are stored sealed.
  return new Map(
    rows.map(({ s, ...m }) => [
      m.id,
      {
        ...m,
        subscription: {
          ...openSecrets(pool, s),
          failingSince: s.failingSince === null ? null : new Date(s.failingSince),
          breakerOpenUntil: s.breakerOpenUntil === null ? null : new Date(s.breakerOpenUntil),
        },
      },
    ]),
  );
}

/** One attempt's result, as recorded. */
export interface AttemptRecord {
  messageId: string;
  attempt: number;
  at: Date;
  latencyMs: number;
  statusCode: number | null;
  error: string | null;
  response: string | null;
  /** The message's state after it. */
  status: Exclude<MessageStatus, "pending">;
  nextAttemptAt: Date | null;
}

/**
 * Records a batch of attempts: each in the attempt log, and the message's new state — unless the
 * message has moved on meanwhile (the same attempt run twice after a stall): returns the ids of
 * the messages this moved, the only ones whose next attempt may be queued.
 */
export async function recordAttempts(sql: Sql, records: AttemptRecord[]): Promise<Set<string>> {
  if (!records.length) return new Set();
  // Sorted by id, so two batches holding the same messages lock them alike.
  const rows = [...records]
    .sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : a.attempt - b.attempt))
    .map((r) => ({
      message_id: r.messageId,
      attempt: r.attempt,
      at: r.at,
      latency_ms: r.latencyMs,
      status_code: r.statusCode,
      error: r.error,
      response: r.response,
      status: r.status,
      next_attempt_at: r.nextAttemptAt,
    }));
  const updated = await sql.query<Array<{ id: string }>>`
    WITH v AS (
      SELECT * FROM jsonb_to_recordset(${jsonParam(rows)}::jsonb) AS v(message_id uuid, attempt int,
        at timestamptz, latency_ms int, status_code int, error text, response text, status text,
        next_attempt_at timestamptz)),
    logged AS (
      INSERT INTO outbound_attempts (message_id, attempt, at, status_code, latency_ms, error, response)
      SELECT v.message_id, v.attempt, v.at, v.status_code, v.latency_ms, v.error, v.response
      FROM v JOIN outbound_messages m ON m.id = v.message_id)
    UPDATE outbound_messages m SET
      status = v.status, attempts = v.attempt, last_status_code = v.status_code, last_error = v.error,
      next_attempt_at = v.next_attempt_at, updated_at = now()
    FROM v
    WHERE m.id = v.message_id AND m.attempts = v.attempt - 1 AND m.status IN ('pending', 'failed')
    RETURNING m.id`;
  return new Set(updated.map((r) => r.id));
}

/** The attempt log's columns as the API shows them. */
const attemptFields = {
  attempt: true,
  at: true,
  statusCode: true,
  latencyMs: true,
  error: true,
  response: true,
} as const;
const messageFields = {
  id: true,
  type: true,
  status: true,
  attempts: true,
  lastStatusCode: true,
  lastError: true,
  nextAttemptAt: true,
  createdAt: true,
} as const;

export interface MessagePageQuery {
  status?: MessageStatus;
  /** The last message of the previous page. */
  before?: { createdAt: Date; id: string };
  limit: number;
  withAttempts?: boolean;
}

/** A subscription's messages, newest first (keyset on created_at, id). */
export function listMessages(prisma: PrismaClient, subscriptionId: string, q: MessagePageQuery) {
  const { before } = q;
  return prisma.outboundMessage.findMany({
    where: {
      subscriptionId,
      ...(q.status ? { status: q.status } : {}),
      ...(before
        ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit,
    select: {
      ...messageFields,
      ...(q.withAttempts ? { attemptLog: { select: attemptFields, orderBy: { id: "asc" } } } : {}),
    },
  });
}

/** One message with its payload and every attempt, or null. */
export function findMessage(prisma: PrismaClient, subscriptionId: string, id: string) {
  return prisma.outboundMessage.findFirst({
    where: { id, subscriptionId },
    select: {
      ...messageFields,
      updatedAt: true,
      payload: true,
      attemptLog: { select: attemptFields, orderBy: { id: "asc" } },
    },
  });
}

/**
 * A dead or failed message made due now (a retry by hand); its attempts count goes on. Returns
 * the attempt to queue, or the message's status when it is not one to retry, or null if absent.
 */
export async function reopenMessage(
  prisma: PrismaClient,
  subscriptionId: string,
  id: string,
): Promise<{ attempt: number } | { status: MessageStatus } | null> {
  const { count } = await prisma.outboundMessage.updateMany({
    where: { id, subscriptionId, status: { in: ["dead", "failed"] } },
    data: { status: "pending", nextAttemptAt: new Date(), updatedAt: new Date() },
  });
  const m = await prisma.outboundMessage.findFirst({
    where: { id, subscriptionId },
    select: { status: true, attempts: true },
  });
  if (!m) return null;
  return count ? { attempt: m.attempts + 1 } : { status: m.status as MessageStatus };
}

/**
 * The dead or failed messages of a subscription created at or after `since`, oldest first and at most
 * `limit` of them, made due now in one statement (a recovery, issue 18: what a retry by hand does,
 * for all of them; the rest in the next call). Returns the attempts to queue, in that order.
 */
export async function reopenSince(
  pool: pg.Pool,
  subscriptionId: string,
  since: Date,
  limit: number,
): Promise<Array<{ id: string; attempt: number }>> {
  return onConnection(
    pool,
    (sql) => sql.query<Array<{ id: string; attempt: number }>>`
      UPDATE outbound_messages SET status = 'pending', next_attempt_at = now(), updated_at = now()
      WHERE id IN (
        SELECT id FROM outbound_messages
        WHERE subscription_id = ${subscriptionId}::uuid AND status IN ('dead', 'failed') AND created_at >= ${since}
        ORDER BY id LIMIT ${limit})
      RETURNING id, attempts + 1 AS attempt`,
  ).then((rows) => rows.sort((a, b) => (a.id < b.id ? -1 : 1)));
}

/**
 * Messages of enabled subscriptions that should have been tried before `before` and are still
 * pending or failed, after `after` in id order: the sweeper queues their next attempt again.
 * A message the relay inserted without a due time counts as due when it was created.
 */
export async function overdueMessages(
  pool: pg.Pool,
  before: Date,
  after: string | null,
  limit: number,
): Promise<Array<{ id: string; attempts: number }>> {
  return onConnection(
    pool,
    (sql) => sql.query<Array<{ id: string; attempts: number }>>`
      SELECT m.id, m.attempts FROM outbound_messages m JOIN subscriptions s ON s.id = m.subscription_id AND s.enabled
      WHERE m.status IN ('pending', 'failed')
        AND (m.next_attempt_at < ${before} OR (m.next_attempt_at IS NULL AND m.created_at < ${before}))
        AND m.id > ${after ?? LOWEST_UUID}::uuid
      ORDER BY m.id LIMIT ${limit}`,
  );
}
