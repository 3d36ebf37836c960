import { DelayedError, Worker, type Job } from "bullmq";
import type { RedisConnection } from "../../queue/redis.js";
import pLimit from "p-limit";
import { createBatcher } from "../../pipeline/batcher.js";
import { closeWorker } from "../../queue/close-worker.js";
import {
  OUTBOUND_QUEUE,
  outboundJobId,
  type OutboundItem,
  type OutboundJob,
  type OutboundJobData,
  type OutboundQueue,
  type Claim,
} from "./queue.js";
import type { Config } from "../../shared/config.js";
import type { Logger } from "../../shared/log.js";
import {
  loadMessages,
  overdueMessages,
  recordAttempts,
  type AttemptRecord,
  type LoadedMessage,
} from "../../store/outbound-messages.js";
import type { Database } from "../../store/prisma.js";
import { inTransaction, onConnection } from "../../store/sql.js";
import { applyHealth } from "../../store/subscriptions.js";
import type { SubscriptionKind } from "../../shared/outbound.js";
import { withRetry } from "../../store/with-retry.js";
import { failedOutcome, type MessageBody, type SendOutcome, type Sender } from "../../shared/outbound.js";
import { summarize } from "./health.js";
import { subscriptionChange } from "./breaker.js";
import { createAdmission } from "./admission.js";
import { createInFlight } from "./in-flight.js";
import { afterAttempt } from "../schedule.js";
import { createWebhookSender } from "../senders/webhook.js";

/**
 * The outbound workers (contract §9): a job is one attempt of one message, or the first attempts of up
 * to FIRST_BATCH messages the relay made. Each attempt is claimed, loaded, sent and recorded on its
 * own; claiming, loading and recording are batched across the attempts in flight (one round trip,
 * one query, one transaction for many), the only per-attempt cost being the send itself.
 * Nothing is lost between steps: a result is committed before its next attempt is queued, and the
 * sweeper queues again what a crash left without a job.
 */

export type OutboundConfig = Pick<
  Config,
  | "OUTBOUND_ALLOW_PRIVATE"
  | "OUTBOUND_RETRY_SCHEDULE"
  | "OUTBOUND_TIMEOUT_MS"
  | "OUTBOUND_CONCURRENCY"
  | "OUTBOUND_MAX_IN_FLIGHT_PER_SUBSCRIPTION"
  | "OUTBOUND_MAX_IN_FLIGHT_PER_HOST"
  | "OUTBOUND_DISABLE_AFTER_S"
  | "OUTBOUND_BREAKER_FAILURES"
  | "OUTBOUND_BREAKER_COOLDOWN_S"
  | "JOB_LOCK_MS"
  | "JOB_STALLED_CHECK_MS"
>;

export interface OutboundOptions {
  db: Database;
  /** A blocking connection for the worker (`maxRetriesPerRequest: null`). */
  connection: RedisConnection;
  /** Where next attempts and the sweeper's jobs go. */
  queue: OutboundQueue;
  config: OutboundConfig;
  log: Logger;
  /** The senders of the other kinds (Slack, Linear); the webhook sender is made here from the configuration. */
  senders?: Partial<Record<Exclude<SubscriptionKind, "webhook">, Sender>>;
  /** Told of every attempt (metrics) and of every subscription the worker disables. */
  onAttempt?: (kind: SubscriptionKind, status: "succeeded" | "failed" | "dead") => void;
  onDisabled?: () => void;
  /** The sweeper's period and how late a message must be before it is queued again. */
  sweepEveryMs?: number;
  sweepGraceMs?: number;
  /** Jitter's randomness (tests). */
  random?: () => number;
}

export interface Outbound {
  worker: Worker<OutboundJobData>;
  /** One sweep now; resolves to the number of messages queued again. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

/** What an attempt ended as (a single job's BullMQ return value). */
type JobResult = "skipped" | "disabled" | AttemptRecord["status"];

/** An attempt's turn: ended, or to be tried again later (its endpoint busy, or another worker holding it). */
type Turn = { result: JobResult } | { deferMs: number; alone?: boolean };

/** A batch job's BullMQ return value: how many of its attempts ended so, and how many were put aside. */
type BatchResult = Partial<Record<JobResult | "deferred", number>>;

interface Recorded {
  record: AttemptRecord;
  /** Released once the record is committed. */
  claim: Claim;
  subscriptionId: string;
  /** The subscription's, as loaded with the message. */
  failingSince: Date | null;
  breakerFailures: number;
  gone: boolean;
  delayMs: number | null;
}

const RECORD_LANES = 2;
const SWEEP_PAGE = 1000;
/** At most this many pages a sweep: 50,000 messages, more next time. */
const SWEEP_PAGES = 50;
/** Characters of an error kept; a sender may return a long one. */
const ERROR_CHARS = 500;

/** Starts the outbound worker and its sweeper; `close()` stops both and lets jobs in flight finish. */
export function startOutbound(o: OutboundOptions): Outbound {
  const schedule = o.config.OUTBOUND_RETRY_SCHEDULE;
  const random = o.random ?? Math.random;
  const webhook = createWebhookSender({
    allowPrivate: o.config.OUTBOUND_ALLOW_PRIVATE,
    timeoutMs: o.config.OUTBOUND_TIMEOUT_MS,
  });
  const senders: Partial<Record<SubscriptionKind, Sender>> = { ...o.senders, webhook: webhook.send };
  const disableAfterMs = o.config.OUTBOUND_DISABLE_AFTER_S * 1000;
  const breaker = {
    failures: o.config.OUTBOUND_BREAKER_FAILURES,
    cooldownMs: o.config.OUTBOUND_BREAKER_COOLDOWN_S * 1e3,
  };

  const load = createBatcher<string, LoadedMessage | null>(
    async (ids) => {
      const found = await loadMessages(o.db.pool, ids);
      await gate.join(found.values());
      return ids.map((id) => ({ status: "fulfilled", value: found.get(id) ?? null }));
    },
    { maxSize: 500, lingerMs: 1 },
  );

  async function flush(items: Recorded[]) {
    const records = items.map((i) => i.record);
    // The common batch, only successes on healthy subscriptions, changes no subscription: one
    // statement, committed on its own. Otherwise health is decided again on the stored rows.
    const healthy = items.every(
      (i) => i.record.status === "succeeded" && i.failingSince === null && i.breakerFailures === 0,
    );
    const { moved, disabled } = await withRetry(() =>
      healthy
        ? onConnection(o.db.pool, async (sql) => ({ moved: await recordAttempts(sql, records), disabled: [] }))
        : inTransaction(o.db.pool, async (sql) => {
            const moved = await recordAttempts(sql, records);
            const reports = summarize(
              items.map((i) => ({
                subscriptionId: i.subscriptionId,
                ok: i.record.status === "succeeded",
                gone: i.gone,
                at: i.record.at,
              })),
            );
            const disabled = await applyHealth(sql, [...reports.keys()].sort(), (row) =>
              subscriptionChange(row, reports.get(row.id)!, disableAfterMs, breaker),
            );
            return { moved, disabled };
          }),
    );
    void release(items.map((i) => i.claim));
    for (const d of disabled) {
      o.log.warn({ subscription: d.name, reason: d.reason }, "subscription disabled");
      o.onDisabled?.();
    }
    const next: OutboundItem[] = items
      .filter((i) => i.delayMs !== null && moved.has(i.record.messageId))
      .map((i) => ({ id: i.record.messageId, attempt: i.record.attempt + 1, delayMs: i.delayMs! }));
    // Committed already: if Redis refuses now, the sweeper queues these once they are overdue.
    await o.queue
      .enqueue(next)
      .catch((err: Error) =>
        o.log.warn({ err: err.message, count: next.length }, "outbound: next attempts not queued"),
      );
    return items.map((): PromiseSettledResult<void> => ({ status: "fulfilled", value: undefined }));
  }
  // Two batches written at once: a job waits for its own to commit, so while one waits on its
  // commit the next fills and is written beside it.
  const lanes = Array.from({ length: RECORD_LANES }, () =>
    createBatcher<Recorded, void>(flush, { maxSize: 500, lingerMs: 2 }),
  );
  let lane = 0;
  const record = (r: Recorded) => lanes[lane++ % RECORD_LANES]!(r);

  const inFlight = createInFlight({
    perSubscription: o.config.OUTBOUND_MAX_IN_FLIGHT_PER_SUBSCRIPTION,
    perHost: o.config.OUTBOUND_MAX_IN_FLIGHT_PER_HOST,
  });
  const gate = createAdmission({
    pool: o.db.pool,
    inFlight,
    throttle: o.queue.throttle,
    probeMs: o.config.OUTBOUND_TIMEOUT_MS + 1000,
  });

  // Sends at once in this process, whatever jobs carry them.
  const sendSlots = pLimit(o.config.OUTBOUND_CONCURRENCY);
  // A killed worker's attempts are taken over as the ingest queue's are (JOB_LOCK_MS), but never
  // while one may still be running: an attempt may take the whole send timeout, then be recorded.
  const lockMs = Math.max(o.config.JOB_LOCK_MS, o.config.OUTBOUND_TIMEOUT_MS * 2);
  const claim = createBatcher<Claim, number>(
    async (claims) => (await o.queue.claim(claims, lockMs)).map((value) => ({ status: "fulfilled", value })),
    { maxSize: 500, lingerMs: 1 },
  );
  // Not released (Redis away), a claim lapses after lockMs; a job meeting it meanwhile is put aside.
  async function release(claims: Claim[]) {
    await o.queue
      .release(claims)
      .catch((err: Error) => o.log.warn({ err: err.message, count: claims.length }, "outbound: claims not released"));
  }
  const releaseOne = createBatcher<Claim, void>(
    async (claims) => {
      await release(claims);
      return claims.map(() => ({ status: "fulfilled", value: undefined }));
    },
    { maxSize: 1000, lingerMs: 2 },
  );
  const token = `${process.pid}.${Date.now().toString(36)}.`;
  let claims = 0;

  /** Sends a loaded message within the process's send slots; what to record, or the turn put aside. */
  async function send(m: LoadedMessage, job: OutboundJob, c: Claim, claimedAt: number): Promise<Turn | Recorded> {
    // The claim must outlast the send: one that waited here too long is put aside and claimed again.
    if (Date.now() - claimedAt > lockMs - o.config.OUTBOUND_TIMEOUT_MS) return { deferMs: 0 };
    const sender = senders[m.subscription.kind];
    const admission = await gate.admit(m, sender !== undefined);
    if (!admission.ok) return admission;
    const at = new Date();
    const started = performance.now();
    let outcome: SendOutcome;
    try {
      // Parsed only by a sender that reads it (Slack, Linear): a webhook sends the stored bytes.
      let payload: MessageBody | undefined;
      const message = {
        id: m.id,
        attempt: job.attempt,
        body: m.body,
        get payload() {
          return (payload ??= JSON.parse(m.body) as MessageBody);
        },
      };
      outcome = sender
        ? await sender(m.subscription, message).catch((err: Error) => failedOutcome(`sender failed: ${err.message}`))
        : failedOutcome(`no sender configured for ${m.subscription.kind} subscriptions`, { permanent: true });
    } finally {
      admission.release();
    }
    const latencyMs = Math.round(performance.now() - started);
    const { status, delayMs } = afterAttempt(outcome, job.attempt, schedule, random);
    o.onAttempt?.(m.subscription.kind, status);
    return {
      claim: c,
      subscriptionId: m.subscription.id,
      failingSince: m.subscription.failingSince,
      breakerFailures: m.subscription.breakerFailures,
      gone: outcome.gone ?? false,
      delayMs,
      record: {
        messageId: m.id,
        attempt: job.attempt,
        at,
        latencyMs,
        statusCode: outcome.statusCode,
        error: outcome.error?.slice(0, ERROR_CHARS) ?? null,
        response: outcome.response ?? null,
        status,
        nextAttemptAt: delayMs === null ? null : new Date(at.getTime() + latencyMs + delayMs),
      },
    };
  }

  /**
   * One attempt, whatever job carries it: claimed and loaded (batched with the other attempts in
   * flight, so a batch job's messages go in one round trip and one query), sent within the send
   * slots, then recorded outside them (the next sends go on while results commit). A turn put
   * aside is no attempt: the message row is untouched and its `webhook-id` stays.
   */
  async function attempt(job: OutboundJob): Promise<Turn> {
    const c: Claim = { attempt: outboundJobId(job.id, job.attempt), token: `${token}${claims++}` };
    const heldMs = await claim(c);
    // Another job has this attempt in hand: it records it, or its claim lapses (killed) and this one sends.
    if (heldMs > 0) return { deferMs: heldMs };
    const claimedAt = Date.now();
    let recorded = false;
    try {
      const m = await load(job.id);
      // Gone (its subscription deleted), or already past this attempt (a job run twice).
      if (!m || m.attempts !== job.attempt - 1 || (m.status !== "pending" && m.status !== "failed"))
        return { result: "skipped" };
      // Left as it is: the sweeper queues it again once the subscription is enabled.
      if (!m.subscription.enabled) return { result: "disabled" };
      const sent = await sendSlots(() => send(m, job, c, claimedAt));
      if (!("record" in sent)) return sent;
      await record(sent);
      recorded = true; // and released with its batch
      return { result: sent.record.status };
    } finally {
      if (!recorded) void releaseOne(c);
    }
  }

  // Per subscription and per host (issue 21): an attempt whose endpoint is at its limit and slow is
  // put aside (BullMQ's delayed set), freeing its slot; that is no attempt, and it comes back later:
  // a single job as itself (`<id>.<attempt>`), those of a batch together in a batch job of their own.
  async function single(bull: Job<OutboundJobData>, job: OutboundJob, token: string | undefined): Promise<JobResult> {
    const turn = await attempt(job);
    if ("result" in turn) return turn.result;
    await bull.moveToDelayed(Date.now() + turn.deferMs, token);
    throw new DelayedError();
  }

  async function batch(ids: readonly string[]): Promise<BatchResult> {
    const turns = await Promise.allSettled(ids.map((id) => attempt({ id, attempt: 1 })));
    const counts: BatchResult = {};
    const later: string[] = [];
    const alone: OutboundItem[] = [];
    let laterMs = 0;
    turns.forEach((t, i) => {
      if (t.status === "rejected") return;
      // A rate-limited message is due at its own slot: back on its own, not with the batch's last.
      if ("deferMs" in t.value && t.value.alone) alone.push({ id: ids[i]!, attempt: 1, delayMs: t.value.deferMs });
      else if ("deferMs" in t.value) {
        later.push(ids[i]!);
        laterMs = Math.max(laterMs, t.value.deferMs);
      }
      const key = "result" in t.value ? t.value.result : "deferred";
      counts[key] = (counts[key] ?? 0) + 1;
    });
    // Together, as a batch again: one job for them (not one each, which cost a BullMQ round trip per
    // message every time a busy endpoint put them aside), back when the last of them is due.
    await o.queue.enqueueFirstLater(later, laterMs);
    await o.queue.enqueue(alone);
    // A result not recorded (the database away): the batch runs again, skipping what was recorded.
    const failed = turns.find((t) => t.status === "rejected");
    if (failed) throw failed.reason;
    return counts;
  }

  const worker = new Worker<OutboundJobData, JobResult | BatchResult>(
    OUTBOUND_QUEUE,
    (job, token) => ("ids" in job.data ? batch(job.data.ids) : single(job, job.data, token)),
    {
      connection: o.connection,
      prefix: o.queue.prefix,
      concurrency: o.config.OUTBOUND_CONCURRENCY,
      lockDuration: lockMs,
      stalledInterval: o.config.JOB_STALLED_CHECK_MS,
    },
  );
  worker.on("error", (err) => o.log.error({ err: err.message }, "outbound worker error"));
  worker.on("failed", (job, err) => {
    const data = job?.data;
    const what =
      data && "ids" in data ? { messages: data.ids.length, attempt: 1 } : { message: data?.id, attempt: data?.attempt };
    o.log.warn({ ...what, err: err.message }, "outbound job failed");
  });

  /**
   * Queues again every overdue message (a worker killed between commit and enqueue); the job id
   * makes a repeat a no-op.
   */
  async function sweep(): Promise<number> {
    const before = new Date(Date.now() - (o.sweepGraceMs ?? 60_000));
    let after: string | null = null;
    let total = 0;
    for (let page = 0; page < SWEEP_PAGES; page++) {
      const rows = await overdueMessages(o.db.pool, before, after, SWEEP_PAGE);
      await o.queue.enqueue(rows.map((r) => ({ id: r.id, attempt: r.attempts + 1 })));
      total += rows.length;
      if (rows.length < SWEEP_PAGE) break;
      after = rows.at(-1)!.id;
    }
    return total;
  }
  let sweeping: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (sweeping) return; // the last one is still going (a large backlog): one at a time
    sweeping = sweep()
      .catch((err: Error) => o.log.warn({ err: err.message }, "outbound sweep failed"))
      .finally(() => (sweeping = null));
  }, o.sweepEveryMs ?? 30_000);
  timer.unref();

  return {
    worker,
    sweep,
    async close() {
      clearInterval(timer);
      await closeWorker(worker, o.log);
      await sweeping;
      webhook.close();
    },
  };
}
