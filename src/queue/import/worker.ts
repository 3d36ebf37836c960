import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { RedisConnection } from "../redis.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { runImport } from "../../import/run-import.js";
import { HISTORY_SOURCES } from "../../import/sources.js";
import type { Config } from "../../shared/config.js";
import type { Logger } from "../../shared/log.js";
import { readCursor, saveCursor } from "../../store/imports.js";
import type { IngestQueue } from "../ingest/queue.js";
import { IMPORT_QUEUE, type ImportJob } from "./queue.js";

/**
 * Runs history imports one at a time per process (POST /api/imports keeps one job per scope, so no two
 * race on a scope's cursors): each page's deliveries go on the ingest queue, at low priority, like a
 * webhook's; progress on the job.
 */
export function createImportWorker(o: {
  connection: RedisConnection;
  prefix: string;
  prisma: PrismaClient;
  ingest: Pick<IngestQueue, "enqueue">;
  config: Config;
  log: Logger;
}): Worker<ImportJob> {
  // A closing worker stops its import at the next page boundary rather than holding the shutdown.
  let closing = false;
  const worker = new Worker<ImportJob>(
    IMPORT_QUEUE,
    (job, token) =>
      run(job).catch(async (err: Error & { status?: number }) => {
        // No credentials accepted, or no such repository (or no access): retrying cannot help.
        if (err.status === 401 || err.status === 404) throw new UnrecoverableError(err.message);
        // A rate limit longer than the client waits in place: the job waits for its reset, spending no attempt,
        // and resumes at its cursors.
        const wait = HISTORY_SOURCES[job.data.platform].rateLimitWaitMs?.(err) ?? null;
        if (wait !== null && token) {
          o.log.warn(
            { job: job.id, waitS: Math.ceil(wait / 1000) },
            "history import waits for the platform's rate limit",
          );
          await job.moveToDelayed(Date.now() + wait + 1000, token);
          throw new DelayedError();
        }
        throw err;
      }),
    { connection: o.connection, prefix: o.prefix, concurrency: 1 },
  );
  async function run(job: Job<ImportJob>) {
    const source = await HISTORY_SOURCES[job.data.platform].create(job.data, o.config, o.log);
    const result = await runImport(
      source,
      { job: job.id!, since: job.data.since },
      {
        enqueue: (d, opts) => o.ingest.enqueue(d, opts),
        readCursor: (id) => readCursor(o.prisma, id),
        saveCursor: (id, c) => saveCursor(o.prisma, id, c),
        onProgress: (p) => job.updateProgress({ ...p }),
        stopping: () => closing,
      },
    );
    o.log.info(
      { job: job.id, platform: result.platform, scope: result.scope, items: result.items, pages: result.pages },
      "history import done",
    );
    return result;
  }
  worker.on("closing", () => (closing = true));
  worker.on("failed", (job, err) =>
    o.log.warn({ job: job?.id, attempt: job?.attemptsMade, err: err.message }, "history import attempt failed"),
  );
  worker.on("error", (err) => o.log.error({ err: err.message }, "import worker error"));
  return worker;
}
