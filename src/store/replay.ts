import { correlateEvent } from "../correlate/correlate-event.js";
import type { Rules } from "../correlate/rule-book.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { normalizers } from "../platforms/index.js";
import type { Delivery, Platform, Priority } from "../shared/event.js";
import { writePlatformRows } from "./store-event.js";
import { withRetry } from "./with-retry.js";

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
export async function replayDeliveries(prisma: PrismaClient, rules: Rules, filter: ReplayFilter, onBatch?: (done: number) => void): Promise<number> {
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
    await withRetry(() =>
      prisma.$transaction(
        async (tx) => {
          for (const raw of raws) {
            if (!raw.event) continue;
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
            const e = normalizers[d.platform](d);
            await tx.event.update({
              where: { id: d.id },
              data: { occurredAt: e.occurredAt, actor: e.actor, subject: e.subject, keys: e.keys, payload: e.payload as object },
            });
            await writePlatformRows(tx, d.id, e.rows, true);
            await correlateEvent(tx, { ...e, id: d.id, platform: d.platform }, rules);
          }
        },
        { timeout: 120_000 },
      ),
    );
    done += raws.length;
    after = raws.at(-1)!.id;
    onBatch?.(done);
  }
  return done;
}
