import type { Prisma } from "../generated/prisma/client.js";
import type { Delivery, NormalizedEvent, PlatformRows } from "../shared/event.js";

/**
 * Stores the raw delivery, the unified event and its platform rows, in the caller's transaction.
 * Idempotent: a delivery already stored (same platform and delivery id) is left as it is,
 * so a retried or redelivered job changes nothing. Returns false when it was already there.
 */
export async function storeEvent(tx: Prisma.TransactionClient, d: Delivery, e: NormalizedEvent): Promise<boolean> {
  const raw = await tx.rawDelivery.createMany({
    data: [
      {
        id: d.id,
        platform: d.platform,
        deliveryId: d.deliveryId,
        receivedAt: new Date(d.receivedAt),
        contentType: d.contentType,
        headers: d.headers,
        body: d.body,
      },
    ],
    skipDuplicates: true,
  });
  if (raw.count === 0) return false;
  await tx.event.create({
    data: {
      id: d.id,
      platform: d.platform,
      type: e.type,
      deliveryId: d.deliveryId,
      occurredAt: e.occurredAt,
      receivedAt: new Date(d.receivedAt),
      actor: e.actor,
      subject: e.subject,
      keys: e.keys,
      priority: d.priority,
      payload: e.payload as object,
    },
  });
  await writePlatformRows(tx, d.id, e.rows);
  return true;
}

/** Writes an event's platform rows, replacing any it had (replays rewrite them). */
export async function writePlatformRows(tx: Prisma.TransactionClient, eventId: string, rows: PlatformRows, replace = false): Promise<void> {
  if (replace) {
    await tx.githubEvent.deleteMany({ where: { eventId } });
    await tx.slackEvent.deleteMany({ where: { eventId } });
    await tx.linearEvent.deleteMany({ where: { eventId } });
    await tx.deployment.deleteMany({ where: { eventId } });
  }
  const { github, slack, linear, deployment } = rows;
  if (github) await tx.githubEvent.create({ data: { eventId, ...github } });
  if (slack) await tx.slackEvent.create({ data: { eventId, ...slack } });
  if (linear) await tx.linearEvent.create({ data: { eventId, ...linear } });
  if (deployment) await tx.deployment.create({ data: { eventId, ...deployment } });
}
