import { describe, expect, it } from "vitest";
import { cappedBackoff } from "../../src/queue/backoff.js";

const middle = () => 0.5; // no jitter: 0.8 + 0.4 × 0.5 = 1

describe("cappedBackoff", () => {
  it("doubles from the base delay and stops at the cap", () => {
    const delays = Array.from({ length: 12 }, (_, i) => cappedBackoff(i + 1, 1000, 300_000, middle));
    expect(delays).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000,
    ]);
  });

  it("jitters within ±20 %", () => {
    expect(cappedBackoff(10, 1000, 300_000, () => 0)).toBe(240_000);
    expect(cappedBackoff(10, 1000, 300_000, () => 0.999_999)).toBe(360_000);
  });

  it("outlasts a database failover with the defaults (25 attempts: over an hour of retries)", () => {
    const total = Array.from({ length: 24 }, (_, i) => cappedBackoff(i + 1, 1000, 300_000, middle)).reduce(
      (a, b) => a + b,
    );
    expect(total).toBeGreaterThan(3_600_000);
  });

  it("does not overflow for huge attempt counts", () => {
    expect(cappedBackoff(10_000, 1000, 300_000, middle)).toBe(300_000);
  });
});
