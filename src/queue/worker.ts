import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../shared/log.js";
import type { Metrics } from "../ops/metrics.js";
import type { Delivery } from "../shared/event.js";
import { INGEST_QUEUE } from "./ingest-queue.js";

export interface IngestWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  process: (d: Delivery) => Promise<{ stored: boolean }>;
  metrics: Metrics;
  log: Logger;
}

/** Runs the processor on queued deliveries; failures are retried with the queue's backoff. */
export function createIngestWorker(o: IngestWorkerOptions): Worker<Delivery> {
  const worker = new Worker<Delivery>(
    INGEST_QUEUE,
    async (job) => {
      const result = await o.process(job.data);
      const { platform } = job.data;
      o.metrics.processed.inc({ platform, outcome: result.stored ? "stored" : "already_stored" });
      if (result.stored) o.metrics.latency.observe({ platform }, (Date.now() - Date.parse(job.data.receivedAt)) / 1000);
      return result;
    },
    // A crashed worker leaves up to `concurrency` jobs stalled; each may stall a few times before
    // it is failed (and kept), rather than once as by default.
    { connection: o.connection, prefix: o.prefix, concurrency: o.concurrency, maxStalledCount: 3 },
  );
  worker.on("failed", (job, err) => {
    if (!job) return;
    o.metrics.processed.inc({ platform: job.data.platform, outcome: "failed" });
    o.log.warn({ jobId: job.id, type: job.data.type, attempt: job.attemptsMade, err: err.message }, "job failed");
  });
  worker.on("error", (err) => o.log.error({ err: err.message }, "worker error"));
  return worker;
}
