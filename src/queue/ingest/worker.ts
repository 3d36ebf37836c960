import { Worker } from "bullmq";
import type { Logger } from "../../shared/log.js";
import type { Metrics } from "../../ops/metrics.js";
import type { Delivery } from "../../shared/event.js";
import { CAPPED, cappedBackoff } from "../backoff.js";
import type { RedisConnection } from "../redis.js";
import { INGEST_QUEUE } from "../redis-keys.js";

export interface IngestWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  /** The ingest queue to consume (QUEUE_SPLIT: one worker per platform queue); `ingest` when unset. */
  queue?: string;
  concurrency: number;
  process: (d: Delivery) => Promise<{ stored: boolean; unprocessable?: true }>;
  metrics: Metrics;
  log: Logger;
  /** Retry delays (CAPPED backoff): the first, and the most. */
  backoffMs: number;
  backoffMaxMs: number;
  /** How long a job's lock lasts unrenewed, and how often stalled jobs are looked for (a killed worker's). */
  lockMs: number;
  stalledCheckMs: number;
}

/** Runs the processor on queued deliveries; failures are retried with the queue's backoff. */
export function createIngestWorker(o: IngestWorkerOptions): Worker<Delivery> {
  const worker = new Worker<Delivery>(
    o.queue ?? INGEST_QUEUE,
    async (job) => {
      const result = await o.process(job.data);
      const { platform } = job.data;
      const outcome = result.unprocessable ? "unprocessable" : result.stored ? "stored" : "already_stored";
      o.metrics.processed.inc({ platform, outcome });
      if (result.stored) o.metrics.latency.observe({ platform }, (Date.now() - Date.parse(job.data.receivedAt)) / 1000);
      return result;
    },
    {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency,
      // A crashed worker leaves up to `concurrency` jobs stalled: picked up after lockMs (plus at
      // most stalledCheckMs), not BullMQ's 30 + 30 s; each may stall a few times before it fails.
      lockDuration: o.lockMs,
      stalledInterval: o.stalledCheckMs,
      maxStalledCount: 3,
      settings: {
        backoffStrategy: (attemptsMade, type) =>
          type === CAPPED ? cappedBackoff(attemptsMade, o.backoffMs, o.backoffMaxMs) : 0,
      },
    },
  );
  worker.on("failed", (job, err) => {
    if (!job) return;
    o.metrics.processed.inc({ platform: job.data.platform, outcome: "failed" });
    // One line per attempt would flood the log during an outage: attempts at debug, the last at warn.
    const last = job.attemptsMade >= (job.opts.attempts ?? 1);
    o.log[last ? "warn" : "debug"](
      { jobId: job.id, type: job.data.type, attempt: job.attemptsMade, err: err.message },
      "job failed",
    );
  });
  worker.on("error", (err) => o.log.error({ err: err.message }, "worker error"));
  return worker;
}
