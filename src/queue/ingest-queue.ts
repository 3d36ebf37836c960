import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { queueUnavailable } from "../shared/errors.js";
import type { Delivery } from "../shared/event.js";
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
      backoff: { type: "exponential", delay: o.backoffMs },
      removeOnComplete: { count: 1000 },
      // Failed jobs hold the only copy of a delivery not yet stored: keep them all.
      removeOnFail: false,
    },
  });

  /**
   * Adds the delivery unless its delivery id was seen within the TTL. BullMQ's deduplication
   * checks and records the id in the same Lua script that adds the job, so no crash between
   * "seen" and "queued" can lose a delivery; a duplicate returns the first job's id.
   */
  async function enqueue(d: Delivery): Promise<{ id: string; duplicate: boolean }> {
    const add = queue.add(d.type, d, {
      jobId: d.id,
      priority: JOB_PRIORITY[d.priority],
      deduplication: { id: `${d.platform}:${d.deliveryId}`, ttl: o.dedupeTtlSeconds * 1000 },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("enqueue timed out")), o.enqueueTimeoutMs);
    });
    try {
      const job = await Promise.race([add, timeout]);
      return { id: job.id ?? d.id, duplicate: job.id !== d.id };
    } catch {
      // If the add still lands after the timeout, the sender's retry is answered as a duplicate.
      add.catch(() => undefined);
      throw queueUnavailable();
    } finally {
      clearTimeout(timer);
    }
  }

  async function depth(): Promise<Record<string, number>> {
    return queue.getJobCounts("waiting", "prioritized", "active", "delayed", "failed", "completed");
  }

  return { queue, enqueue, depth };
}

export type IngestQueue = ReturnType<typeof createIngestQueue>;
