import { LOWEST_UUID } from "../shared/bounds.js";
import { recordEvents } from "../store/outbox.js";
import { PLATFORM_MODULES } from "../platforms/registry.js";
import type { Platform } from "../shared/event.js";
import { markUnprocessable, readDeliveries, storeEvents, type Normalized, toStored } from "../store/deliveries.js";
import type { Database } from "../store/prisma.js";
import { inTransaction, onConnection } from "../store/sql.js";
import { withRetry } from "../store/with-retry.js";
import { correlateEvents } from "./correlate.js";
import { rankIncidents } from "./incidents.js";
import { isPermanent, reasonOf } from "./failure.js";
import type { Rules } from "./rule-book.js";

export interface ReplayFilter {
  /** Only these deliveries (`POST /api/deliveries/:id/reprocess`, `replay --delivery`). */
  ids?: string[];
  platform?: Platform;
  since?: Date;
  limit?: number;
}

export interface ReplayResult {
  replayed: number;
  /** Deliveries that could not be processed, kept as unprocessable with their reasons. */
  unprocessable: Array<{ id: string; error: string }>;
}

const BATCH = 200;

/**
 * Re-processes stored raw deliveries with the current code: normalizes them again, writes or
 * rewrites the unified event and platform rows, and correlates them again. Deliveries kept as
 * unprocessable get another chance (their error is cleared when they succeed). Idempotent: links upsert.
 */
export async function replayDeliveries(
  db: Database,
  rules: Rules,
  filter: ReplayFilter,
  onBatch?: (done: number) => void,
): Promise<ReplayResult> {
  const result: ReplayResult = { replayed: 0, unprocessable: [] };
  let after = LOWEST_UUID;
  const limit = filter.limit ?? Number.POSITIVE_INFINITY;
  while (result.replayed < limit) {
    const deliveries = await readDeliveries(db.prisma, filter, after, Math.min(BATCH, limit - result.replayed));
    if (!deliveries.length) break;
    const items: Normalized[] = [];
    for (const delivery of deliveries) {
      try {
        items.push({ delivery, event: PLATFORM_MODULES[delivery.platform].normalize(delivery) });
      } catch (err) {
        await keep(db, result, delivery.id, err);
      }
    }
    await write(db, rules, items, result);
    result.replayed += deliveries.length;
    after = deliveries.at(-1)!.id;
    onBatch?.(result.replayed);
  }
  return result;
}

/** One transaction for the batch; on failure each alone, so only the culprit is kept unprocessable. */
async function write(db: Database, rules: Rules, items: Normalized[], result: ReplayResult): Promise<void> {
  if (!items.length) return;
  try {
    const touched = await withRetry(() =>
      inTransaction(db.pool, async (tx) => {
        const added = await storeEvents(tx, items, true);
        // Only events stored for the first time (a reprocessed unprocessable delivery) are new to subscribers.
        await recordEvents(
          tx,
          items.filter((i) => added.has(i.delivery.id)),
        );
        return correlateEvents(tx, items.map(toStored), rules);
      }),
    );
    // A ranking that fails leaves the deliveries stored: the next batch touching the incident ranks it.
    await rankIncidents(db, touched, rules).catch(() => undefined);
  } catch (err) {
    if (items.length > 1) for (const item of items) await write(db, rules, [item], result);
    else if (isPermanent(err)) await keep(db, result, items[0]!.delivery.id, err);
    else throw err;
  }
}

async function keep(db: Database, result: ReplayResult, id: string, err: unknown) {
  const error = reasonOf(err);
  await onConnection(db.pool, (sql) => markUnprocessable(sql, id, error));
  result.unprocessable.push({ id, error });
}
