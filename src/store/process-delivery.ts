import { correlateEvent } from "../correlate/correlate-event.js";
import type { RuleBook } from "../correlate/rule-book.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { normalizers } from "../platforms/index.js";
import type { Delivery } from "../shared/event.js";
import { storeEvent } from "./store-event.js";
import { withRetry } from "./with-retry.js";

/**
 * The processor: normalize a queued delivery, store it and correlate it in one transaction.
 * Safe to run again on the same job: a stored delivery is neither stored nor correlated twice.
 */
export function createProcessor(prisma: PrismaClient, rules: RuleBook) {
  return async function processDelivery(d: Delivery): Promise<{ stored: boolean }> {
    const event = normalizers[d.platform](d);
    const ruleSet = await rules.current();
    const stored = await withRetry(() =>
      prisma.$transaction(
        async (tx) => {
          if (!(await storeEvent(tx, d, event))) return false;
          await correlateEvent(tx, { ...event, id: d.id, platform: d.platform }, ruleSet);
          return true;
        },
        { timeout: 30_000, maxWait: 10_000 },
      ),
    );
    return { stored };
  };
}

export type Processor = ReturnType<typeof createProcessor>;
