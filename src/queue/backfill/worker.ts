import type { IncidentSettings } from "../../pipeline/rule-book.js";
import { Worker } from "bullmq";
import type { RedisConnection } from "../redis.js";
import type { Logger } from "../../shared/log.js";
import type { Database } from "../../store/prisma.js";
import { backfillRule } from "../../pipeline/backfill.js";
import { BACKFILL_QUEUE, type BackfillJob } from "./queue.js";

/** Runs rule backfills one at a time (each walks every stored event), reporting progress on the job. */
export function createBackfillWorker(o: {
  connection: RedisConnection;
  prefix: string;
  db: Database;
  log: Logger;
  /** INCIDENT_LABELS and the ranking's settings, as the processor has them. */
  incidents?: IncidentSettings;
}): Worker {
  const worker = new Worker<BackfillJob>(
    BACKFILL_QUEUE,
    (job) => backfillRule(o.db, job.data.rule, (p) => job.updateProgress({ ...p }), o.incidents),
    { connection: o.connection, prefix: o.prefix, concurrency: 1 },
  );
  worker.on("error", (err) => o.log.error({ err: err.message }, "backfill worker error"));
  return worker;
}
