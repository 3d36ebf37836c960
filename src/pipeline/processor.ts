import { correlateEvents } from "./correlate.js";
import type { RuleBook } from "./rule-book.js";
import { PLATFORM_MODULES } from "../platforms/registry.js";
import { createBatcher } from "./batcher.js";
import type { Delivery } from "../shared/event.js";
import type { Database } from "../store/prisma.js";
import { inTransaction } from "../store/sql.js";
import { storeEvents, type Normalized } from "../store/deliveries.js";
import { withRetry } from "../store/with-retry.js";

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
    const platform = PLATFORM_MODULES[delivery.platform];
    const event = platform.normalize(delivery);
    return writers[partitionOf(platform.partitionKey(event), writers.length)]!({ delivery, event });
  };
}

/** A stable share for the event's main scope (PlatformModule.partitionKey). */
function partitionOf(key: string, n: number): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % n;
}

export type Processor = ReturnType<typeof createProcessor>;
