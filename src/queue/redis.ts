import { Redis } from "ioredis";

/**
 * The producer connection fails fast: with no offline queue a command sent while Redis is down
 * rejects at once, so the receiver can answer 503 instead of holding the sender.
 */
export function producerConnection(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}

/** Workers block on Redis; BullMQ requires `maxRetriesPerRequest: null` for them. */
export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/**
 * Resolves once the connection is ready, or rejects after `ms`. A fail-fast connection rejects
 * commands while it is still connecting, so a fresh process waits here before trusting a failure.
 */
export function whenReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      reject(new Error("redis not ready"));
    }, ms);
    timer.unref();
    function onReady() {
      clearTimeout(timer);
      resolve();
    }
    redis.once("ready", onReady);
  });
}
