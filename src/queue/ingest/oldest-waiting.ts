import type { Queue } from "bullmq";
import { JOB_PRIORITY } from "../priority.js";
import type { RedisConnection } from "../redis.js";

/** BullMQ scores a prioritized job `priority × 2³² + counter`: FIFO within each priority. */
const BAND = 0x100000000;

/**
 * Seconds the oldest waiting ingest job has waited, or null when none waits: the first job of each
 * priority band is the oldest of its band, so at most one look-up per priority.
 */
export async function oldestWaitingSeconds(queue: Queue, client: RedisConnection): Promise<number | null> {
  const ids: string[] = [];
  for (const priority of Object.values(JOB_PRIORITY)) {
    const [id] = await client.zrangebyscore(
      queue.keys.prioritized!,
      priority * BAND,
      (priority + 1) * BAND - 1,
      "LIMIT",
      0,
      1,
    );
    if (id) ids.push(id);
  }
  // Unprioritized jobs (none of ours, but BullMQ allows them): the oldest is at the tail.
  const [waiting] = await client.lrange(queue.keys.wait!, -1, -1);
  if (waiting) ids.push(waiting);
  let oldest: number | null = null;
  for (const id of ids) {
    const at = Number(await client.hget(queue.toKey(id), "timestamp"));
    if (Number.isFinite(at) && at > 0 && (oldest === null || at < oldest)) oldest = at;
  }
  return oldest === null ? null : (Date.now() - oldest) / 1000;
}

/** The longest wait over several queues (a split ingest queue), or null when none waits. */
export async function oldestWaitingOf(queues: readonly Queue[], client: RedisConnection): Promise<number | null> {
  const waits = await Promise.all(queues.map((q) => oldestWaitingSeconds(q, client)));
  return waits.reduce<number | null>((a, b) => (b === null ? a : a === null ? b : Math.max(a, b)), null);
}
