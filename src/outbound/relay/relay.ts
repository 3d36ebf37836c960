import type { RedisConnection } from "../../queue/redis.js";
import { v7 as uuidv7 } from "uuid";
import type { Database } from "../../store/prisma.js";
import type { Logger } from "../../shared/log.js";
import { inTransaction } from "../../store/sql.js";
import { numberOutbox, RELAY_CHANNEL, tryRelayLock } from "../../store/outbox.js";
import { enabledSubscribers, type Subscriber } from "../../store/subscriptions.js";
import { insertRelayed, type RelayedMessage } from "../../store/outbound-messages.js";
import { listen } from "../../store/listen.js";
import { outboxChannel, type OutboxItem } from "../../shared/outbound.js";
import { compileFilter, meetsPriority } from "../match.js";
import { messageBodyOf } from "../envelope.js";

export interface RelayOptions {
  db: Database;
  databaseUrl: string;
  /** Publishes relayed batches for the live streams. */
  redis: RedisConnection;
  redisPrefix: string;
  /** Queues the first attempts of new messages (after their commit). */
  enqueueFirst(ids: string[]): Promise<unknown>;
  log: Logger;
  /** Rows numbered per step. */
  batchSize?: number;
  /** How often it looks without being woken (a lost notification, another relay's leftovers). */
  pollMs?: number;
}

/** The messages `items` make for `subscribers`: one per (subscription, matching item). Pure. */
function fanOut(items: OutboxItem[], subscribers: Subscriber[]): RelayedMessage[] {
  const filters = subscribers.map((s) => {
    const matches = compileFilter(s.types, s.where);
    return { id: s.id, matches: (item: OutboxItem) => matches(item) && meetsPriority(item, s.minPriority) };
  });
  return items.flatMap((item) =>
    filters
      .filter((f) => f.matches(item))
      .map((f) => ({
        id: uuidv7(),
        subscriptionId: f.id,
        outboxId: item.id,
        type: item.type,
        payload: messageBodyOf(item),
      })),
  );
}

/**
 * The relay (contract §9, §10): hands the outbox on. Each step, under a lock only one relay holds, it
 * numbers the rows not yet relayed and makes their subscriptions' messages in one transaction;
 * after the commit it queues the messages and publishes the rows to the live streams. A crash after
 * the commit loses nothing: the delivery sweeper queues messages that have no job, and streams
 * fill a gap in positions from the table.
 */
export function startRelay(o: RelayOptions): { close(): Promise<void> } {
  const batchSize = o.batchSize ?? 1000;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  async function step(): Promise<number> {
    const relayed = await inTransaction(o.db.pool, async (tx) => {
      if (!(await tryRelayLock(tx))) return null;
      const items = await numberOutbox(tx, batchSize);
      if (!items.length) return { items, messages: [] };
      const messages = await insertRelayed(tx, fanOut(items, await enabledSubscribers(tx)));
      return { items, messages };
    });
    if (!relayed?.items.length) return 0;
    await o.enqueueFirst(relayed.messages);
    await o.redis.publish(outboxChannel(o.redisPrefix), JSON.stringify(relayed.items));
    return relayed.items.length;
  }

  /** Runs steps until the outbox is drained; a wake-up while running runs it once more. */
  function wake() {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          while (!closed && (await step()) === batchSize);
        } catch (err) {
          o.log.warn({ err: (err as Error).message }, "relay step failed; retrying shortly");
        }
      } while (again && !closed);
    })().finally(() => (running = null));
  }

  const listener = listen(o.databaseUrl, RELAY_CHANNEL, wake);
  const poll = setInterval(wake, o.pollMs ?? 5000);
  wake();
  return {
    async close() {
      closed = true;
      clearInterval(poll);
      await listener.close();
      await running;
    },
  };
}
