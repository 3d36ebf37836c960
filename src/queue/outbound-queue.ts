import { Queue } from "bullmq";
import type { Redis } from "ioredis";

/**
 * The queue of outbound attempts (SPEC §9): a queue of its own, so a slow or failing destination
 * holds outbound workers only, never ingestion. One job per attempt of a message, with the job id
 * `<message id>.<attempt>`: adding the same attempt twice (the relay after a restart, the sweeper)
 * is a no-op while the job exists, and the worker skips an attempt the message is already past.
 * (`<id>.<attempt>`, not `<id>:<attempt>`: BullMQ refuses a `:` in custom job ids.)
 */
export const OUTBOUND_QUEUE = "outbound";

export interface OutboundJob {
  /** outbound_messages.id */
  id: string;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface OutboundItem extends OutboundJob {
  /** Not before this many milliseconds from now (a retry's backoff). */
  delayMs?: number;
}

const outboundJobId = (id: string, attempt: number) => `${id}.${attempt}`;

export function createOutboundQueue(o: { connection: Redis; prefix: string }) {
  const queue = new Queue<OutboundJob>(OUTBOUND_QUEUE, {
    connection: o.connection,
    prefix: o.prefix,
    defaultJobOptions: {
      // A job fails only when recording its result failed (the database away): a few tries, then
      // it is dropped and the sweeper queues the message again once the database is back.
      attempts: 4,
      backoff: { type: "exponential", delay: 1000 },
      // The message row is the record of every attempt; finished jobs would only fill Redis.
      removeOnComplete: true,
      removeOnFail: true,
    },
  });

  /** Queues attempts in one round trip; an attempt already queued stays as it is. */
  async function enqueue(items: readonly OutboundItem[]): Promise<void> {
    if (!items.length) return;
    await queue.addBulk(
      items.map((i) => ({
        name: "send",
        data: { id: i.id, attempt: i.attempt },
        opts: {
          jobId: outboundJobId(i.id, i.attempt),
          ...(i.delayMs ? { delay: Math.max(0, Math.round(i.delayMs)) } : {}),
        },
      })),
    );
  }

  /**
   * Queues an attempt to run now (a retry by hand): an earlier job for the same attempt, waiting
   * for its backoff, is replaced. One that is running is left to run.
   */
  async function enqueueNow(item: OutboundJob): Promise<void> {
    await queue.remove(outboundJobId(item.id, item.attempt));
    await enqueue([item]);
  }

  return { queue, enqueue, enqueueNow };
}

export type OutboundQueue = ReturnType<typeof createOutboundQueue>;
