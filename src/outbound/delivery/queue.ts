import { Queue } from "bullmq";
import type { RedisConnection } from "../../queue/redis.js";
import { OUTBOUND_QUEUE, redisKeys, type RedisKeys } from "../../queue/redis-keys.js";
import { createThrottle } from "./throttle.js";

/**
 * The queue of outbound attempts (contract §9): a queue of its own, so a slow or failing destination
 * holds outbound workers only, never ingestion. The relay's messages are queued for their first
 * attempt FIRST_BATCH to a job (BullMQ's own round trips per job were most of a delivery's cost),
 * and those a batch puts aside (their endpoint busy) go back as a batch; every other attempt (a
 * retry, the sweeper's, a test message) is a job of its own, with the job id
 * `<message id>.<attempt>`: adding the same attempt twice is a no-op while the job exists. Whatever
 * job carries it, an attempt is sent only under its claim (below), and the worker skips an attempt
 * the message is already past.
 * (`<id>.<attempt>`, not `<id>:<attempt>`: BullMQ refuses a `:` in custom job ids.)
 */
export { OUTBOUND_QUEUE };

/**
 * Messages per job of first attempts. A worker takes OUTBOUND_CONCURRENCY jobs at once, so up to
 * that many times FIRST_BATCH messages wait in one process for its send slots: 2,000 by default,
 * a few seconds at worst, well within the claim an attempt must be sent under (see below), and
 * BullMQ's cost per job shared twenty ways.
 */
const FIRST_BATCH = 20;

/** One attempt of one message. */
export interface OutboundJob {
  /** outbound_messages.id */
  id: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/** The first attempts of messages the relay made. */
export interface OutboundBatch {
  ids: string[];
}

export type OutboundJobData = OutboundJob | OutboundBatch;

export interface OutboundItem extends OutboundJob {
  /** Not before this many milliseconds from now (a retry's backoff). */
  delayMs?: number;
}

export const outboundJobId = (id: string, attempt: number) => `${id}.${attempt}`;

/**
 * Claims each key not claimed yet, for `ARGV[1]` ms, with its own value (`ARGV[i + 1]`): 0 when
 * claimed now, otherwise how many ms the claim holding it has left (at least 1).
 */
const CLAIM_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call("SET", key, ARGV[i + 1], "NX", "PX", ARGV[1]) then
    out[i] = 0
  else
    local left = redis.call("PTTL", key)
    if left < 1 then left = 1 end
    out[i] = left
  end
end
return out`;

/** Releases each key still holding the value it was claimed with (a claim that lapsed and was taken again stays). */
const RELEASE_SCRIPT = `
for i, key in ipairs(KEYS) do
  if redis.call("GET", key) == ARGV[i] then redis.call("DEL", key) end
end
return 0`;

/** A claim on one attempt (`<id>.<attempt>`) and the value that proves it is this one. */
export interface Claim {
  attempt: string;
  token: string;
}

type ClaimingRedis = RedisConnection & {
  outboundClaim(...args: Array<string | number>): Promise<number[]>;
  outboundRelease(...args: Array<string | number>): Promise<number>;
};

/** `keys`: the key layout (queue/redis-keys.ts); without it, the keys under `prefix` as on one Redis. */
export function createOutboundQueue(o: { connection: RedisConnection; prefix: string; keys?: RedisKeys }) {
  const keys = o.keys ?? redisKeys({ prefix: o.prefix });
  /** The queue's BullMQ prefix, which its worker shares. */
  const prefix = keys.queuePrefix(OUTBOUND_QUEUE);
  const queue = new Queue<OutboundJobData>(OUTBOUND_QUEUE, {
    connection: o.connection,
    prefix,
    defaultJobOptions: {
      // A job fails only when recording its result failed (the database away): a few tries, then
      // it is dropped and the sweeper queues the message again once the database is back.
      attempts: 4,
      backoff: { type: "exponential", delay: 1000 },
      // The message row is the record of every attempt; finished jobs would only fill Redis.
      removeOnComplete: true,
      removeOnFail: true,
    },
  });

  /** Queues attempts in one round trip; an attempt already queued stays as it is. */
  async function enqueue(items: readonly OutboundItem[]): Promise<void> {
    if (!items.length) return;
    await queue.addBulk(
      items.map((i) => ({
        name: "send" as const,
        data: { id: i.id, attempt: i.attempt } as OutboundJobData,
        opts: {
          jobId: outboundJobId(i.id, i.attempt),
          ...(i.delayMs ? { delay: Math.max(0, Math.round(i.delayMs)) } : {}),
        },
      })),
    );
  }

  /** Queues the first attempts of the relay's messages, FIRST_BATCH to a job, in one round trip. */
  async function enqueueFirst(ids: readonly string[]): Promise<void> {
    const jobs = [];
    for (let i = 0; i < ids.length; i += FIRST_BATCH) {
      const chunk = ids.slice(i, i + FIRST_BATCH);
      jobs.push({ name: "first", data: { ids: chunk } as OutboundJobData, opts: { jobId: `first.${chunk[0]}` } });
    }
    if (jobs.length) await queue.addBulk(jobs);
  }

  /**
   * Queues again, together, first attempts a batch put aside (their endpoint busy): one job, due
   * after `delayMs`, under an id of its own (the batch's may still exist).
   */
  async function enqueueFirstLater(ids: readonly string[], delayMs: number): Promise<void> {
    if (!ids.length) return;
    await queue.add(
      "first",
      { ids: [...ids] },
      { jobId: `first.${ids[0]}.${Date.now().toString(36)}`, delay: Math.max(0, Math.round(delayMs)) },
    );
  }

  /**
   * Attempts are claimed in Redis (`<prefix>:outbound-claim:<id>.<attempt>`, in the queue's slot on a
   * cluster: a call claims many at once; SET NX with a time to
   * live) from before the message is read until its result is committed, so two jobs carrying the
   * same attempt (the relay's batch and the sweeper's single job, a stalled job run again) never
   * send it at once; a claim left by a killed worker lapses after `ttlMs`. One round trip per call.
   */
  const claimKey = keys.outboundClaim;
  const claiming = o.connection as ClaimingRedis;
  if (!claiming.outboundClaim) {
    claiming.defineCommand("outboundClaim", { lua: CLAIM_SCRIPT });
    claiming.defineCommand("outboundRelease", { lua: RELEASE_SCRIPT });
  }
  /** For each claim, 0 when it is taken now, or how many ms the one holding it has left. */
  async function claim(claims: readonly Claim[], ttlMs: number): Promise<number[]> {
    if (!claims.length) return [];
    return claiming.outboundClaim(
      claims.length,
      ...claims.map((c) => claimKey(c.attempt)),
      ttlMs,
      ...claims.map((c) => c.token),
    );
  }
  async function release(claims: readonly Claim[]): Promise<void> {
    if (!claims.length) return;
    await claiming.outboundRelease(
      claims.length,
      ...claims.map((c) => claimKey(c.attempt)),
      ...claims.map((c) => c.token),
    );
  }

  /**
   * Queues an attempt to run now (a retry by hand): an earlier job for the same attempt, waiting
   * for its backoff, is replaced. One that is running is left to run.
   */
  async function enqueueNow(item: OutboundJob): Promise<void> {
    await queue.remove(outboundJobId(item.id, item.attempt));
    await enqueue([item]);
  }

  /** enqueueNow for many (a recovery), 500 at a time: the removals at once, then one round trip to add. */
  async function enqueueAllNow(items: readonly OutboundJob[]): Promise<void> {
    for (let i = 0; i < items.length; i += 500) {
      const chunk = items.slice(i, i + 500);
      await Promise.all(chunk.map((item) => queue.remove(outboundJobId(item.id, item.attempt))));
      await enqueue(chunk);
    }
  }

  /** Subscriptions' rate limits (throttle.ts), on the same connection. */
  const throttle = createThrottle({ connection: o.connection, prefix: o.prefix, keys });

  return {
    queue,
    prefix,
    enqueue,
    enqueueFirst,
    enqueueFirstLater,
    enqueueNow,
    enqueueAllNow,
    claim,
    release,
    throttle,
  };
}

export type OutboundQueue = ReturnType<typeof createOutboundQueue>;
