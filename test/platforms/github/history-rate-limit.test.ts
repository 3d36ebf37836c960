import { describe, expect, it } from "vitest";
import { rateLimitWaitMs } from "../../../src/platforms/github/history/rate-limit.js";

/** What a GitHub refusal asks an import to wait (src/platforms/github/history/rate-limit.ts). */
const refusal = (status: number, headers: Record<string, string>) => ({ status, response: { headers } });
const NOW = 1_800_000_000_000;

describe("rateLimitWaitMs", () => {
  it("reads Retry-After of a secondary limit, 403 or 429", () => {
    expect(rateLimitWaitMs(refusal(429, { "retry-after": "60" }), NOW)).toBe(60_000);
    expect(rateLimitWaitMs(refusal(403, { "retry-after": "0" }), NOW)).toBe(0);
  });

  it("reads x-ratelimit-reset of a spent primary limit", () => {
    const reset = String(NOW / 1000 + 1800);
    expect(rateLimitWaitMs(refusal(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }), NOW)).toBe(
      1_800_000,
    );
    expect(rateLimitWaitMs(refusal(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" }), NOW)).toBe(0);
  });

  it("is null for refusals that are no rate limit, and other errors", () => {
    expect(rateLimitWaitMs(refusal(403, { "x-ratelimit-remaining": "12", "x-ratelimit-reset": "9" }), NOW)).toBeNull();
    expect(rateLimitWaitMs(refusal(404, { "retry-after": "5" }), NOW)).toBeNull();
    expect(rateLimitWaitMs(new Error("socket hang up"), NOW)).toBeNull();
    expect(rateLimitWaitMs(undefined, NOW)).toBeNull();
  });
});
