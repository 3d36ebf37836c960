import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export interface ThrottleOptions {
  /** Failed attempts a client may make within `windowSeconds`; the next is answered 429. */
  maxFailures: number;
  windowSeconds: number;
}

export interface AuthThrottle {
  /** Seconds until `client` may try again, or 0 when it may try now. */
  retryAfter(client: string): Promise<number>;
  /** Counts a failed attempt; resolves to the seconds the client is now held back, or 0. */
  failed(client: string): Promise<number>;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Brute-force brake for the API's bearer tokens and the board's Basic password: after
 * `maxFailures` failures in a window a client is held back for a window, whatever it presents
 * then, so a guess that happens to be right is not told apart from a wrong one. Counted per
 * process (rate-limiter-flexible's memory store): behind several web processes the bound is per
 * process, which is still far below what guessing a 32-character token needs.
 */
export function authThrottle(o: ThrottleOptions): AuthThrottle {
  const limiter = new RateLimiterMemory({
    keyPrefix: "auth",
    points: o.maxFailures,
    duration: o.windowSeconds,
    blockDuration: o.windowSeconds,
  });
  return {
    async retryAfter(client) {
      const state = await limiter.get(client);
      return state && state.consumedPoints > o.maxFailures ? seconds(state.msBeforeNext) : 0;
    },
    async failed(client) {
      try {
        await limiter.consume(client);
        return 0;
      } catch (rejected) {
        if (rejected instanceof RateLimiterRes) return seconds(rejected.msBeforeNext);
        throw rejected;
      }
    },
  };
}
