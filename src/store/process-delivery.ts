import { correlateEvents } from "../correlate/correlate-event.js";
import type { RuleBook } from "../correlate/rule-book.js";
import { normalizers } from "../platforms/index.js";
import { createBatcher } from "../queue/batcher.js";
import type { Delivery } from "../shared/event.js";
import type { Database } from "./prisma.js";
import { inTransaction } from "./sql.js";
import { storeEvents, type Normalized } from "./store-event.js";
import { withRetry } from "./with-retry.js";

export interface ProcessorOptions {
  batchSize: number;
  lingerMs: number;
}

type Outcome = PromiseSettledResult<{ stored: boolean }>;

/**
 * The processor: normalize queued deliveries, store and correlate them, a batch per transaction.
 * Safe to run again on the same job: a stored delivery is neither stored nor correlated twice.
 */
export function createProcessor(db: Database, rules: RuleBook, o: ProcessorOptions) {
  async function processBatch(deliveries: Delivery[]): Promise<Outcome[]> {
    const outcomes = new Map<Delivery, Outcome>();
    const items: Normalized[] = [];
    for (const delivery of deliveries) {
      try {
        items.push({ delivery, event: normalizers[delivery.platform](delivery) });
      } catch (reason) {
        outcomes.set(delivery, { status: "rejected", reason });
      }
    }
    const ruleSet = await rules.current();
    try {
      const stored = await withRetry(() =>
        inTransaction(db.pool, async (tx) => {
          const fresh = await storeEvents(tx, items);
          const events = items.filter((i) => fresh.has(i.delivery.id)).map(({ delivery: d, event }) => ({ ...event, id: d.id, platform: d.platform }));
          await correlateEvents(tx, events, ruleSet);
          return fresh;
        }),
      );
      for (const { delivery } of items) outcomes.set(delivery, { status: "fulfilled", value: { stored: stored.has(delivery.id) } });
    } catch (reason) {
      if (items.length === 1) outcomes.set(items[0]!.delivery, { status: "rejected", reason });
      // One bad delivery must not hold back the others: retry each alone, so only it fails.
      else for (const { delivery } of items) outcomes.set(delivery, (await processBatch([delivery]))[0]!);
    }
    return deliveries.map((d) => outcomes.get(d)!);
  }

  return createBatcher(processBatch, { maxSize: o.batchSize, lingerMs: o.lingerMs });
}

export type Processor = ReturnType<typeof createProcessor>;
