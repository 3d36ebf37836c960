import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { deadline } from "../shared/deadline.js";
import { queueUnavailable } from "../shared/errors.js";
import type { Delivery } from "../shared/event.js";
import { CAPPED } from "./backoff.js";
import { JOB_PRIORITY } from "./priority.js";

export const INGEST_QUEUE = "ingest";

export interface IngestQueueOptions {
  connection: Redis;
  prefix: string;
  attempts: number;
  backoffMs: number;
  dedupeTtlSeconds: number;
  enqueueTimeoutMs: number;
}

export function createIngestQueue(o: IngestQueueOptions) {
  const queue = new Queue<Delivery>(INGEST_QUEUE, {
    connection: o.connection,
    prefix: o.prefix,
    defaultJobOptions: {
      attempts: o.attempts,
      // Computed by the worker (queue/backoff.ts): exponential, capped, with jitter.
      backoff: { type: CAPPED, delay: o.backoffMs },
      removeOnComplete: { count: 1000 },
      // Failed jobs hold the only copy of a delivery not yet stored: keep them all.
      removeOnFail: false,
    },
  });

  /**
   * Adds the delivery unless its delivery id was seen within the TTL. BullMQ's deduplication
   * checks and records the id in the same Lua script that adds the job, so no crash between
   * "seen" and "queued" can lose a delivery; a duplicate returns the first job's id.
   *
   * A `replayKey` (the signed bytes of a GitHub or Linear delivery) already recorded under another
   * delivery id whose job was added is a replay (SPEC §2): a duplicate of that job, nothing added.
   * One extra command in the common case: the key is read and, if new, recorded by one `SET … NX GET`,
   * before the add. If that add then fails (503) or the process dies first, the key names a
   * delivery never queued: the sender's retry (same delivery id) passes, and so does a replay
   * (its first has no job), so a replay may be missed but a delivery is never lost.
   */
  async function enqueue(
    d: Delivery,
    options: { replayKey?: string } = {},
  ): Promise<{ id: string; duplicate: boolean }> {
    const dedupe = (deliveryId: string) => `${d.platform}:${deliveryId}`;
    const work = (async () => {
      if (options.replayKey) {
        const key = `${o.prefix}:${INGEST_QUEUE}:replay:${options.replayKey}`;
        // One native command (Redis 7: SET … NX GET): the first delivery id recorded, recording this one if none.
        const first = await o.connection.set(key, d.deliveryId, "EX", o.dedupeTtlSeconds, "NX", "GET");
        if (first !== null && first !== d.deliveryId) {
          const job = await queue.getDeduplicationJobId(dedupe(first));
          if (job) return { id: job, duplicate: true };
        }
      }
      const job = await queue.add(d.type, d, {
        jobId: d.id,
        priority: JOB_PRIORITY[d.priority],
        deduplication: { id: dedupe(d.deliveryId), ttl: o.dedupeTtlSeconds * 1000 },
      });
      return { id: job.id ?? d.id, duplicate: job.id !== d.id };
    })();
    try {
      return await deadline(work, o.enqueueTimeoutMs, queueUnavailable);
    } catch {
      // Redis refused or was too slow. If the add still lands after the timeout, the sender's retry
      // is answered as a duplicate.
      throw queueUnavailable();
    }
  }

  async function depth(): Promise<Record<string, number>> {
    return queue.getJobCounts("waiting", "prioritized", "active", "delayed", "failed", "completed");
  }

  return { queue, enqueue, depth };
}

export type IngestQueue = ReturnType<typeof createIngestQueue>;
