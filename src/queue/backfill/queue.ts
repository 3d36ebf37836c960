import { Queue } from "bullmq";
import type { RedisConnection } from "../redis.js";

/** Rule backfills (POST /api/rules/:name/backfill) run as jobs of their own queue, with progress, on the workers. */
export const BACKFILL_QUEUE = "backfill";

/** A backfill job: the rule to re-apply to the stored events. */
export interface BackfillJob {
  rule: string;
}

/** The producer side: the API adds jobs and reads their progress; finished jobs are kept a week to be looked up. */
export function createBackfillQueue(o: { connection: RedisConnection; prefix: string }): Queue {
  return new Queue(BACKFILL_QUEUE, {
    connection: o.connection,
    prefix: o.prefix,
    defaultJobOptions: { removeOnComplete: { age: 7 * 86_400 } },
  });
}
