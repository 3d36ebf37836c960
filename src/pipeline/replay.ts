import { correlateEvents } from "./correlate.js";
import type { Rules } from "./rule-book.js";
import { PLATFORM_MODULES } from "../platforms/registry.js";
import type { Delivery, Platform, Priority } from "../shared/event.js";
import type { Database } from "../store/prisma.js";
import { inTransaction, jsonParam } from "../store/sql.js";
import { writePlatformRows } from "../store/deliveries.js";
import { withRetry } from "../store/with-retry.js";

export interface ReplayFilter {
  platform?: Platform;
  since?: Date;
  limit?: number;
}

const BATCH = 200;

/**
 * Re-processes stored raw deliveries: normalizes them again with the current code, rewrites the
 * unified event and platform rows, and correlates them again. Idempotent: links upsert.
 */
export async function replayDeliveries({ prisma, pool }: Database, rules: Rules, filter: ReplayFilter, onBatch?: (done: number) => void): Promise<number> {
  let done = 0;
  let after = "00000000-0000-0000-0000-000000000000";
  const limit = filter.limit ?? Number.POSITIVE_INFINITY;
  while (done < limit) {
    const raws = await prisma.rawDelivery.findMany({
      where: { id: { gt: after }, platform: filter.platform, receivedAt: filter.since ? { gte: filter.since } : undefined },
      include: { event: { select: { type: true, priority: true } } },
      orderBy: { id: "asc" },
      take: Math.min(BATCH, limit - done),
    });
    if (!raws.length) break;
    const items = raws.flatMap((raw) => {
      if (!raw.event) return [];
      const d: Delivery = {
        id: raw.id,
        platform: raw.platform as Platform,
        deliveryId: raw.deliveryId,
        receivedAt: raw.receivedAt.toISOString(),
        contentType: raw.contentType,
        headers: raw.headers as Record<string, string>,
        body: raw.body,
        type: raw.event.type,
        priority: raw.event.priority as Priority,
      };
      return [{ ...PLATFORM_MODULES[d.platform].normalize(d), id: d.id, platform: d.platform }];
    });
    await withRetry(() =>
      inTransaction(pool, async (tx) => {
        for (const e of items) {
          await tx.execute`
            UPDATE events SET occurred_at = ${e.occurredAt}, actor = ${e.actor}, subject = ${e.subject}, keys = ${e.keys}::text[],
              payload = ${jsonParam(e.payload)}::jsonb
            WHERE id = ${e.id}::uuid`;
        }
        await writePlatformRows(tx, items.map((e) => ({ eventId: e.id, rows: e.rows })), true);
        await correlateEvents(tx, items, rules);
      }),
    );
    done += raws.length;
    after = raws.at(-1)!.id;
    onBatch?.(done);
  }
  return done;
}
