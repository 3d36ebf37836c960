import { subscriberConnection, type RedisTarget } from "../../queue/redis.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { deadline } from "../../shared/deadline.js";
import type { Logger } from "../../shared/log.js";
import { outboxChannel, type OutboxItem } from "../../shared/outbound.js";
import { lastPosition, positionOf, readOutbox } from "../../store/outbox.js";
import type { ReadRouting } from "../../store/replica.js";
import { createHub, type OutboxSource, type StreamHub } from "./hub.js";

/**
 * The hub's transport (contract §10): the relay's published batches from Redis, and what they miss
 * from the outbox table. The hub itself (hub.ts) knows neither.
 */

/**
 * Reads for the hub from the outbox table. With a read replica, history pages come from it while
 * it is fresh; where a stream starts (`last`, `positionOf`) is read on the primary, whose positions
 * the live messages carry.
 */
const databaseSource = (prisma: PrismaClient, reads?: ReadRouting): OutboxSource => ({
  read: (after, limit) => (reads ? readThroughReplica(reads, prisma, after, limit) : readOutbox(prisma, after, limit)),
  last: () => lastPosition(prisma),
  positionOf: (id) => positionOf(prisma, id),
});

/**
 * A page read on the replica, completed from the primary. A short page means "read to the end"
 * (catch-up.ts), and a replica that lags has not yet the newest rows: the catch-up would go live
 * past them, or skip them as missing. Positions are committed in order, so the replica's rows are
 * a prefix of the primary's: when its page is short, the rest (positions after its last row) is
 * read on the primary. Full pages, the bulk of a long catch-up, never touch the primary.
 */
async function readThroughReplica(reads: ReadRouting, primary: PrismaClient, after: bigint, limit: number) {
  let onReplica = false;
  const page = await reads.read((db) => {
    onReplica = db.prisma !== primary;
    return readOutbox(db.prisma, after, limit);
  });
  if (!onReplica || page.length >= limit) return page;
  const last = page.length ? BigInt(page[page.length - 1]!.position) : after;
  return page.concat(await readOutbox(primary, last, limit - page.length));
}

/** A published batch as the relay sends it, or null (logged and dropped: a later hole fill covers it). */
function parseBatch(message: string): OutboxItem[] | null {
  try {
    const batch: unknown = JSON.parse(message);
    if (!Array.isArray(batch)) return null;
    const ok = batch.every(
      (i) => i && typeof i.id === "string" && typeof i.type === "string" && /^\d{1,19}$/.test(String(i.position)),
    );
    return ok ? (batch as OutboxItem[]) : null;
  } catch {
    return null;
  }
}

export interface StreamHubOptions {
  /** A Redis URL, or a cluster (queue/redis.ts). */
  redis: RedisTarget;
  prefix: string;
  prisma: PrismaClient;
  /** DATABASE_READ_URL's replica, for the history pages of catch-ups (docs/read-replicas.md). */
  reads?: ReadRouting;
  log: Logger;
  heartbeatMs?: number;
  maxBufferedBytes?: number;
}

/** The process's hub on its one Redis subscriber connection (a subscribed connection can do nothing else). */
export function createStreamHub(options: StreamHubOptions): StreamHub {
  const { log } = options;
  const hub = createHub({
    source: databaseSource(options.prisma, options.reads),
    log,
    heartbeatMs: options.heartbeatMs,
    maxBufferedBytes: options.maxBufferedBytes,
  });
  const channel = outboxChannel(options.prefix);
  // Subscribed on every `ready` below, so the sweep follows the subscription (on a cluster ioredis
  // also subscribes again by itself when its subscriber node changes).
  const sub = subscriberConnection(options.redis, `${options.prefix}:stream`);
  sub.on("error", (err) => log.warn({ err: err.message }, "stream subscriber redis error"));
  // Connected (again): once subscribed, what was published before is read from the database.
  sub.on("ready", () => {
    sub.subscribe(channel).then(
      () => hub.sweep(),
      (err: Error) => log.warn({ err: err.message }, "stream subscribe failed"),
    );
  });
  sub.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    const batch = parseBatch(message);
    if (batch) hub.receive(batch);
    else log.warn({ channel }, "live stream: unreadable outbox batch dropped");
  });

  return {
    positionOf: hub.positionOf,
    lastPosition: hub.lastPosition,
    open: hub.open,
    get clients() {
      return hub.clients;
    },
    async close() {
      await hub.close();
      await deadline(sub.quit(), 1000, () => new Error("quit timed out")).catch(() => sub.disconnect());
    },
  };
}
