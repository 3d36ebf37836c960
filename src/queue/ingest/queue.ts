import { Queue, type Job } from "bullmq";
import { deadline } from "../../shared/deadline.js";
import { queueUnavailable } from "../../shared/errors.js";
import type { Delivery, Platform, Priority } from "../../shared/event.js";
import { CAPPED } from "../backoff.js";
import { groupCommit } from "./group-commit.js";
import { JOB_PRIORITY } from "../priority.js";
import type { RedisConnection } from "../redis.js";
import { INGEST_QUEUE, redisKeys, type RedisKeys } from "../redis-keys.js";

export { INGEST_QUEUE };

type Enqueued = { id: string; duplicate: boolean };
interface Pending {
  d: Delivery;
  replayKey?: string;
  /** The job's priority when not the delivery's own (imports queue as `low`, behind live webhooks). */
  queuePriority?: Priority;
}

/** Deliveries per round trip at most (a batch is what one turn of the event loop received). */
const MAX_BATCH = 100;

/**
 * The replay check of a batch (contract §2), run by Redis just before the batch's adds. Per delivery
 * (KEYS: its replay key, its own deduplication key; ARGV after the three shared values: its
 * delivery id, platform): record the delivery id under the replay key unless one is recorded
 * (`SET … NX GET`, as before); if another delivery id was, and that delivery's job is still known
 * to the deduplication, point this delivery's own deduplication key at that job for what is left
 * of its window, so that BullMQ's add answers it as a duplicate of that job and adds nothing.
 */
const REPLAY_CHECK = `
local ttl, ttlMs, de = ARGV[1], ARGV[2], ARGV[3]
for i = 1, #KEYS, 2 do
  local id, platform = ARGV[i + 3], ARGV[i + 4]
  local first = redis.call('SET', KEYS[i], id, 'EX', ttl, 'NX', 'GET')
  if first and first ~= id then
    local firstKey = de .. platform .. ':' .. first
    local job = redis.call('GET', firstKey)
    if job then
      local left = redis.call('PTTL', firstKey)
      redis.call('SET', KEYS[i + 1], job, 'PX', left > 0 and left or ttlMs, 'NX')
    end
  end
end
return #KEYS / 2
`;

export interface IngestQueueOptions {
  connection: RedisConnection;
  prefix: string;
  /** The key layout (queue/redis-keys.ts); without it, one queue under `prefix` as on one Redis. */
  keys?: RedisKeys;
  attempts: number;
  backoffMs: number;
  dedupeTtlSeconds: number;
  enqueueTimeoutMs: number;
}

export function createIngestQueue(o: IngestQueueOptions) {
  const keys = o.keys ?? redisKeys({ prefix: o.prefix });
  // One queue, or one per platform (QUEUE_SPLIT): each its own slot on a cluster.
  const queues = new Map(
    keys.ingestQueues.map((name) => [
      name,
      new Queue<Delivery>(name, {
        connection: o.connection,
        prefix: keys.queuePrefix(name),
        defaultJobOptions: {
          attempts: o.attempts,
          // Computed by the worker (queue/backoff.ts): exponential, capped, with jitter.
          backoff: { type: CAPPED, delay: o.backoffMs },
          removeOnComplete: { count: 1000 },
          // Failed jobs hold the only copy of a delivery not yet stored: keep them all.
          removeOnFail: false,
        },
      }),
    ]),
  );
  const all = [...queues.values()];
  const queueOf = (platform: Platform) => queues.get(keys.ingestQueueOf(platform))!;

  // BullMQ's deduplication key of a delivery id: `<queue prefix>:<queue>:de:<platform>:<delivery id>`.
  const dedupeId = (platform: string, deliveryId: string) => `${platform}:${deliveryId}`;

  /**
   * Adds a batch of deliveries (those received in one turn of the event loop) in one round trip:
   * the replay check of the batch, then BullMQ's adds as one pipeline, sent back to back on one
   * connection without waiting for the check's answer, so Redis runs them in that order. BullMQ's
   * deduplication checks and records each delivery id in the same Lua script that adds its job, so
   * no crash between "seen" and "queued" can lose a delivery; a duplicate returns the first job's
   * id. A batch fails as a whole (503 for each): any of its adds that landed are answered as
   * duplicates to the senders' retries. With a queue split, each queue's part of the batch is such
   * a batch of its own (its keys are in its slot), all sent at once.
   */
  async function addTo(queue: Queue<Delivery>, batch: Pending[]): Promise<Enqueued[]> {
    const replays = batch.filter((p) => p.replayKey !== undefined);
    // EVAL rather than EVALSHA: after a NOSCRIPT, ioredis's retry would reach Redis after the adds.
    const checked = replays.length
      ? o.connection.eval(
          REPLAY_CHECK,
          replays.length * 2,
          ...replays.flatMap((p) => [
            keys.replayKey(queue.name, p.replayKey!),
            `${queue.keys.de}:${dedupeId(p.d.platform, p.d.deliveryId)}`,
          ]),
          o.dedupeTtlSeconds,
          o.dedupeTtlSeconds * 1000,
          `${queue.keys.de}:`,
          ...replays.flatMap((p) => [p.d.deliveryId, p.d.platform]),
        )
      : undefined;
    const added = queue.addBulk(
      batch.map(({ d, queuePriority }) => ({
        name: d.type,
        data: d,
        opts: {
          jobId: d.id,
          priority: JOB_PRIORITY[queuePriority ?? d.priority],
          deduplication: { id: dedupeId(d.platform, d.deliveryId), ttl: o.dedupeTtlSeconds * 1000 },
        },
      })),
    );
    const [jobs] = await deadline(Promise.all([added, checked]), o.enqueueTimeoutMs, queueUnavailable);
    return jobs.map((job, i) => {
      const id = batch[i]!.d.id;
      return { id: job.id ?? id, duplicate: job.id !== id };
    });
  }

  async function addBatch(batch: Pending[]): Promise<Array<PromiseSettledResult<Enqueued>>> {
    const fulfilled = (value: Enqueued) => ({ status: "fulfilled" as const, value });
    if (all.length === 1) return (await addTo(all[0]!, batch)).map(fulfilled);
    const parts = new Map<Queue<Delivery>, number[]>();
    batch.forEach((p, i) => {
      const q = queueOf(p.d.platform);
      const part = parts.get(q);
      if (part) part.push(i);
      else parts.set(q, [i]);
    });
    const out: Array<PromiseSettledResult<Enqueued>> = new Array(batch.length);
    await Promise.all(
      [...parts].map(([q, at]) =>
        addTo(
          q,
          at.map((i) => batch[i]!),
        ).then(
          (done) => done.forEach((e, k) => (out[at[k]!] = fulfilled(e))),
          (reason: unknown) => at.forEach((i) => (out[i] = { status: "rejected", reason })),
        ),
      ),
    );
    return out;
  }
  const commit = groupCommit(addBatch, MAX_BATCH);

  /**
   * Adds the delivery unless its delivery id was seen within the TTL (then: the first job's id,
   * duplicate). Resolves only once its own job is in Redis.
   *
   * A `replayKey` (the signed bytes of a GitHub or Linear delivery) already recorded under another
   * delivery id whose job was added is a replay (contract §2): a duplicate of that job, nothing added.
   * The key is read and, if new, recorded in the batch's replay check, just before the adds. If the
   * add then fails (503) or the process dies first, the key names a delivery never queued: the
   * sender's retry (same delivery id) passes, and so does a replay (its first has no job), so a
   * replay may be missed but a delivery is never lost.
   */
  async function enqueue(
    d: Delivery,
    options: { replayKey?: string; queuePriority?: Priority } = {},
  ): Promise<Enqueued> {
    try {
      return await commit({ d, replayKey: options.replayKey, queuePriority: options.queuePriority });
    } catch {
      // Redis refused or was too slow. If the add still lands after the timeout, the sender's retry
      // is answered as a duplicate.
      throw queueUnavailable();
    }
  }

  /** Job counts by state, summed over the ingest queues. */
  async function depth(): Promise<Record<string, number>> {
    const counts = await Promise.all(
      all.map((q) => q.getJobCounts("waiting", "prioritized", "active", "delayed", "failed", "completed")),
    );
    if (counts.length === 1) return counts[0]!;
    const sum: Record<string, number> = {};
    for (const c of counts) for (const [state, n] of Object.entries(c)) sum[state] = (sum[state] ?? 0) + n;
    return sum;
  }

  /** A job of any ingest queue by id (job ids are the deliveries' uuids: unique across queues). */
  async function getJob(id: string) {
    for (const q of all) {
      const job = await q.getJob(id);
      if (job) return job;
    }
    return undefined;
  }

  /** A page of failed jobs over the ingest queues, one queue after the other, and how many fail in all. */
  async function failed(offset: number, limit: number) {
    const counts = await Promise.all(all.map((q) => q.getFailedCount()));
    const jobs: Array<Job<Delivery>> = [];
    let skip = offset;
    for (const [i, q] of all.entries()) {
      const n = counts[i]!;
      if (skip >= n) {
        skip -= n;
        continue;
      }
      const want: number = limit - jobs.length;
      if (want <= 0) break;
      jobs.push(...(await q.getFailed(skip, skip + want - 1)));
      skip = 0;
    }
    return { jobs, total: counts.reduce((a, b) => a + b, 0) };
  }

  // `queue`: the single queue, or the first platform's when split (use `queues` for all of them).
  return { queue: all[0]!, queues: all, enqueue, depth, getJob, failed };
}

export type IngestQueue = ReturnType<typeof createIngestQueue>;
