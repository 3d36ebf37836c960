import { PLATFORM_MODULES } from "../platforms/registry.js";
import type { Delivery, NormalizedEvent } from "../shared/event.js";
import { markUnprocessable, storeEvents, storeRawDeliveries, type Normalized, toStored } from "../store/deliveries.js";
import type { Database } from "../store/prisma.js";
import { inTransaction, onConnection } from "../store/sql.js";
import { recordEvents } from "../store/outbox.js";
import { withRetry } from "../store/with-retry.js";
import { createBatcher } from "./batcher.js";
import { correlateEvents } from "./correlate.js";
import { rankIncidents } from "./incidents.js";
import { reasonOf, isPermanent } from "./failure.js";
import type { RuleBook } from "./rule-book.js";

export interface ProcessorOptions {
  batchSize: number;
  lingerMs: number;
  /** Batches written at once, each for its own share of repositories, teams and channels. */
  writers: number;
  /** A delivery kept as unprocessable (counted and logged by the caller). */
  onUnprocessable?: (d: Delivery, reason: string) => void;
  /** Ranking incidents' suspects after a batch failed (the batch is stored; the next one touching them ranks again). */
  onRankFailed?: (err: unknown) => void;
}

export interface ProcessResult {
  /** Its event was written now (false: stored before, a redelivery, or unprocessable). */
  stored: boolean;
  unprocessable?: true;
}

type Outcome = PromiseSettledResult<ProcessResult>;
/** A queued delivery, normalized on arrival (or the reason it could not be). */
type Item = { delivery: Delivery; event: NormalizedEvent } | { delivery: Delivery; failure: unknown };

const done = (value: ProcessResult): Outcome => ({ status: "fulfilled", value });

/**
 * The processor (contract §8): a batch of queued deliveries is stored verbatim first, in a statement of
 * its own; then their events are stored and correlated in one transaction. A delivery whose
 * normalization or correlation fails for good is kept as unprocessable with the reason; one that
 * meets a passing fault (database down) fails its job, which is retried, its raw copy already safe.
 * Safe to run again on the same job: a stored delivery is neither stored nor correlated twice.
 */
export function createProcessor(db: Database, rules: RuleBook, o: ProcessorOptions) {
  async function unprocessable(d: Delivery, failure: unknown): Promise<Outcome> {
    const reason = reasonOf(failure);
    await withRetry(() => onConnection(db.pool, (sql) => markUnprocessable(sql, d.id, reason)));
    o.onUnprocessable?.(d, reason);
    return done({ stored: false, unprocessable: true });
  }

  /** Events and correlation for normalized deliveries, one transaction; alone on failure, so only the culprit fails. */
  async function writeEvents(items: Normalized[]): Promise<Outcome[]> {
    try {
      const ruleSet = await rules.current();
      const { written, touched } = await withRetry(() =>
        inTransaction(db.pool, async (tx) => {
          const written = await storeEvents(tx, items);
          const fresh = items.filter((i) => written.has(i.delivery.id));
          await recordEvents(tx, fresh);
          return { written, touched: await correlateEvents(tx, fresh.map(toStored), ruleSet) };
        }),
      );
      const { failures } = await rankIncidents(db, touched, ruleSet).catch((err: unknown) => ({ failures: [err] }));
      for (const err of failures) o.onRankFailed?.(err);
      return items.map((i) => done({ stored: written.has(i.delivery.id) }));
    } catch (reason) {
      if (items.length > 1) {
        const outcomes: Outcome[] = [];
        for (const item of items) outcomes.push(...(await writeEvents([item])));
        return outcomes;
      }
      if (isPermanent(reason)) return [await unprocessable(items[0]!.delivery, reason)];
      return [{ status: "rejected", reason }];
    }
  }

  async function processBatch(batch: Item[]): Promise<Outcome[]> {
    let pending: Set<string>;
    try {
      pending = await withRetry(() =>
        onConnection(db.pool, (sql) =>
          storeRawDeliveries(
            sql,
            batch.map((i) => i.delivery),
          ),
        ),
      );
    } catch (reason) {
      return batch.map((): Outcome => ({ status: "rejected", reason }));
    }
    const outcomes = new Map<Item, Outcome>();
    const normalized: Normalized[] = [];
    for (const item of batch) {
      if (!pending.has(item.delivery.id)) outcomes.set(item, done({ stored: false }));
      else if ("failure" in item) outcomes.set(item, await unprocessable(item.delivery, item.failure).catch(rejected));
      else normalized.push(item);
    }
    const written = await writeEvents(normalized).catch((reason) => normalized.map(() => rejected(reason)));
    normalized.forEach((item, i) => outcomes.set(item, written[i]!));
    return batch.map((i) => outcomes.get(i)!);
  }

  // Batches lock every scope they touch; writers split by repository (team, channel) rarely meet.
  const writers = Array.from({ length: o.writers }, () =>
    createBatcher(processBatch, { maxSize: o.batchSize, lingerMs: o.lingerMs }),
  );
  return async function processDelivery(delivery: Delivery): Promise<ProcessResult> {
    const platform = PLATFORM_MODULES[delivery.platform];
    let item: Item;
    let key = delivery.deliveryId;
    try {
      const event = platform.normalize(delivery);
      item = { delivery, event };
      key = platform.partitionKey(event);
    } catch (failure) {
      item = { delivery, failure };
    }
    return writers[partitionOf(key, writers.length)]!(item);
  };
}

const rejected = (reason: unknown): Outcome => ({ status: "rejected", reason });

/** A stable share for the event's main scope (PlatformModule.partitionKey). */
function partitionOf(key: string, n: number): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % n;
}

export type Processor = ReturnType<typeof createProcessor>;
