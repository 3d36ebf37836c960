import { correlateEvents } from "../correlate/correlate-event.js";
import type { RuleBook } from "../correlate/rule-book.js";
import { normalizers } from "../platforms/index.js";
import { createBatcher } from "../queue/batcher.js";
import type { Delivery, NormalizedEvent } from "../shared/event.js";
import type { Database } from "./prisma.js";
import { inTransaction } from "./sql.js";
import { storeEvents, type Normalized } from "./store-event.js";
import { withRetry } from "./with-retry.js";

export interface ProcessorOptions {
  batchSize: number;
  lingerMs: number;
  /** Batches written at once, each for its own share of repositories, teams and channels. */
  writers: number;
}

type Outcome = PromiseSettledResult<{ stored: boolean }>;

/**
 * The processor: normalize queued deliveries, store and correlate them, a batch per transaction.
 * Safe to run again on the same job: a stored delivery is neither stored nor correlated twice.
 */
export function createProcessor(db: Database, rules: RuleBook, o: ProcessorOptions) {
  async function processBatch(items: Normalized[]): Promise<Outcome[]> {
    const outcomes = new Map<Normalized, Outcome>();
    try {
      const ruleSet = await rules.current();
      const stored = await withRetry(() =>
        inTransaction(db.pool, async (tx) => {
          const fresh = await storeEvents(tx, items);
          const events = items.filter((i) => fresh.has(i.delivery.id)).map(({ delivery: d, event }) => ({ ...event, id: d.id, platform: d.platform }));
          await correlateEvents(tx, events, ruleSet);
          return fresh;
        }),
      );
      for (const item of items) outcomes.set(item, { status: "fulfilled", value: { stored: stored.has(item.delivery.id) } });
    } catch (reason) {
      if (items.length === 1) outcomes.set(items[0]!, { status: "rejected", reason });
      // One bad delivery must not hold back the others: retry each alone, so only it fails.
      else for (const item of items) outcomes.set(item, (await processBatch([item]))[0]!);
    }
    return items.map((i) => outcomes.get(i)!);
  }

  // Batches lock every scope they touch; writers split by repository (team, channel) rarely meet.
  const writers = Array.from({ length: o.writers }, () => createBatcher(processBatch, { maxSize: o.batchSize, lingerMs: o.lingerMs }));
  return async function processDelivery(delivery: Delivery): Promise<{ stored: boolean }> {
    const event = normalizers[delivery.platform](delivery);
    return writers[partitionOf(event, writers.length)]!({ delivery, event });
  };
}

/** A stable share for the event's main scope: its repository, else its Linear team or Slack channel. */
function partitionOf(e: NormalizedEvent, n: number): number {
  const key = e.rows.github?.repository ?? e.rows.deployment?.repository ?? e.rows.linear?.teamKey ?? e.rows.slack?.channel ?? "";
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % n;
}

export type Processor = ReturnType<typeof createProcessor>;
