import type { PrismaClient } from "../generated/prisma/client.js";
import type { Platform, PlatformRows, StoredEvent } from "../shared/event.js";

const strip = <T extends { eventId: string }>(row: T | null): Omit<T, "eventId"> | undefined => {
  if (!row) return undefined;
  const { eventId: _id, ...rest } = row;
  return rest;
};

/** Stored events as correlation reads them (unified event plus platform rows), in id order. */
export async function loadStoredEvents(prisma: PrismaClient, ids: string[]): Promise<StoredEvent[]> {
  const rows = await prisma.event.findMany({ where: { id: { in: ids } }, include: { github: true, slack: true, linear: true, deployment: true }, orderBy: { id: "asc" } });
  return rows.map((r) => ({
    id: r.id,
    platform: r.platform as Platform,
    type: r.type,
    occurredAt: r.occurredAt,
    actor: r.actor,
    subject: r.subject,
    keys: r.keys,
    payload: r.payload,
    rows: {
      github: strip(r.github),
      slack: strip(r.slack),
      linear: strip(r.linear),
      deployment: strip(r.deployment),
    } as PlatformRows,
  }));
}
