import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import type { RedisConnection } from "../redis.js";
import type { ImportRequest } from "../../import/request.js";

/** History imports (POST /api/imports) run as jobs of their own queue, with progress, on the workers. */
export const IMPORT_QUEUE = "import";

/** Import job ids start so, which tells them from rule backfills' at GET /api/jobs/:id. */
export const IMPORT_JOB_PREFIX = "import-";
export const isImportJob = (id: string) => id.startsWith(IMPORT_JOB_PREFIX);
export const newImportJobId = () => `${IMPORT_JOB_PREFIX}${randomUUID()}`;

export type ImportJob = ImportRequest;

/**
 * The producer side. A job that fails (a worker crash, GitHub down past the retries) is retried by
 * BullMQ and resumes from its cursors; finished jobs are kept a week to be looked up.
 */
export function createImportQueue(o: { connection: RedisConnection; prefix: string }): Queue<ImportJob> {
  return new Queue<ImportJob>(IMPORT_QUEUE, {
    connection: o.connection,
    prefix: o.prefix,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 7 * 86_400 },
    },
  });
}
