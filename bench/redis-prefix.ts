import { Redis } from "ioredis";

/**
 * Removes every key of a bench run's prefix: queues, jobs, deduplication keys. SCAN + UNLINK rather
 * than BullMQ's obliterate, which leaves deduplication keys and knows one queue at a time.
 */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
  await redis.quit();
}
