import type pg from "pg";
import type { Logger } from "../shared/log.js";
import type { Retention } from "../store/partition-days.js";
import { applyRetention, createAhead, whileMaintaining } from "../store/partitions.js";

/**
 * The partitioned history's upkeep (docs/partitions.md), on workers: makes days ahead and applies retention,
 * at start and then hourly. Every worker ticks; an advisory lock lets one maintain at a time.
 */

export interface MaintenanceOptions {
  pool: pg.Pool;
  log: Logger;
  premakeDays: number;
  retention: Retention;
  /** Counts what changed, by table (metrics.ts). */
  onChange?: (change: "created" | "dropped", partition: string) => void;
  clock?: () => Date;
  everyMs?: number;
}

export interface MaintenanceRun {
  created: string[];
  skipped: string[];
  dropped: string[];
  failed: string[];
  messagesDeleted: number;
}

const TICK_MS = 3_600_000;

/** One run now; null when another process holds the maintenance lock. */
export async function maintainOnce(o: MaintenanceOptions): Promise<MaintenanceRun | null> {
  const now = (o.clock ?? (() => new Date()))();
  const client = await o.pool.connect();
  try {
    const run = await whileMaintaining(client, async () => ({
      ...(await createAhead(client, now, o.premakeDays)),
      ...(await applyRetention(client, now, o.retention)),
    }));
    if (!run) return null;
    for (const p of run.created) o.onChange?.("created", p);
    for (const p of run.dropped) o.onChange?.("dropped", p);
    if (run.created.length || run.dropped.length || run.messagesDeleted)
      o.log.info(
        { created: run.created, dropped: run.dropped, messagesDeleted: run.messagesDeleted },
        "partitions maintained",
      );
    if (run.skipped.length)
      o.log.warn({ skipped: run.skipped }, "partitions not made: their days' rows are in the DEFAULT partition");
    if (run.failed.length) o.log.warn({ failed: run.failed }, "partitions not dropped; retried on the next run");
    return run;
  } finally {
    client.release();
  }
}

export function startMaintenance(o: MaintenanceOptions): { close(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const run = () => {
    if (running) return;
    running = maintainOnce(o)
      .catch((err: Error) => o.log.warn({ err: err.message }, "partition maintenance failed"))
      .finally(() => (running = null));
  };
  run();
  const timer = setInterval(run, o.everyMs ?? TICK_MS);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
