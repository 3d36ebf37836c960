import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { outboxChannel, type OutboxItem } from "../../src/shared/outbound.js";
import type { PrismaClient } from "../../src/store/prisma.js";

export type RelayRow = Pick<OutboxItem, "type"> &
  Partial<Pick<OutboxItem, "platform" | "environment" | "repository" | "subject">>;

/**
 * Plays the relay on a schema no real relay numbers (web-role services only): numbers rows after
 * the last position, commits them, and publishes them or not, as a crash after commit would not.
 */
export function fakeRelay(prisma: PrismaClient, redis: Redis) {
  const commit = async (rows: RelayRow[]): Promise<OutboxItem[]> => {
    const [{ p }] = await prisma.$queryRaw<[{ p: bigint | null }]>`SELECT max(position) AS p FROM outbox`;
    const items = rows.map((r, i): OutboxItem => {
      const id = randomUUID();
      const milestone = !r.platform;
      return {
        position: String((p ?? 0n) + BigInt(i + 1)),
        id,
        kind: milestone ? "milestone" : "event",
        type: r.type,
        platform: r.platform ?? null,
        repository: r.repository ?? "acme/web",
        environment: r.environment ?? null,
        subject: r.subject ?? null,
        data: { id, type: r.type, note: "line one\nline two" },
        createdAt: new Date().toISOString(),
      };
    });
    for (const it of items) {
      await prisma.$executeRaw`
        INSERT INTO outbox (id, position, kind, type, platform, repository, environment, subject, data)
        VALUES (${it.id}::uuid, ${BigInt(it.position)}, ${it.kind}, ${it.type}, ${it.platform}, ${it.repository},
                ${it.environment}, ${it.subject}, ${JSON.stringify(it.data)}::jsonb)`;
    }
    return items;
  };
  const publish = async (prefix: string, items: OutboxItem[]) => {
    await redis.publish(outboxChannel(prefix), JSON.stringify(items));
  };
  return {
    commit,
    publish,
    /** Commits `rows` and publishes them on the channel of the service with `prefix` (REDIS_PREFIX). */
    async relay(prefix: string, rows: RelayRow[]) {
      const items = await commit(rows);
      await publish(prefix, items);
      return items;
    },
  };
}
