/** The backoff type of ingest jobs (queue/ingest/queue.ts), computed by their worker (queue/ingest/worker.ts). */
export const CAPPED = "capped";

/**
 * Exponential from `baseMs`, capped at `maxMs`, with ±20 % jitter so retries of a batch spread out.
 * With the defaults (1 s, 5 min, 25 attempts) a job keeps trying for about 90 minutes: longer than a
 * database failover, after which its raw delivery is still stored and re-run by hand or by replay.
 */
export function cappedBackoff(attemptsMade: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, Math.min(attemptsMade - 1, 30));
  return Math.round(Math.min(exponential, maxMs) * (0.8 + 0.4 * random()));
}
