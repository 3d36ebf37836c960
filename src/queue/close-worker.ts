import type { Worker } from "bullmq";
import { deadline } from "../shared/deadline.js";
import type { Logger } from "../shared/log.js";

/** How long a worker may take to finish its jobs and close before it is disconnected. */
const WORKER_CLOSE_MS = 10_000;

/**
 * Closes a BullMQ worker, letting the jobs it holds finish. An idle worker's close can wait for
 * ever on its blocking connection after Redis restarted (seen in test/e2e/rejections.test.ts); past
 * `ms` it is disconnected instead: a job it still held is taken over by another worker when its
 * lock lapses.
 */
export async function closeWorker(worker: Worker, log: Logger, ms = WORKER_CLOSE_MS): Promise<void> {
  await deadline(worker.close(), ms, () => new Error("worker close timed out")).catch(async () => {
    log.warn({ queue: worker.name }, `worker did not close within ${ms} ms; disconnecting it`);
    // Not awaited past a second: the same hung connection can keep its disconnect waiting too.
    await deadline(worker.disconnect(), 1000, () => new Error("disconnect timed out")).catch(() => undefined);
  });
}
