import { describe, expect, it } from "vitest";
import { jitter, nextDelay, parseRetryAfter, retryAfterCap, retryDelay } from "../../src/outbound/schedule.js";
import { parseDuration, parseSchedule } from "../../src/shared/duration.js";
import { ConfigError, loadConfig } from "../../src/shared/config.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe("retry schedule", () => {
  it("reads durations with units", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("5s")).toBe(5 * S);
    expect(parseDuration("30m")).toBe(30 * M);
    expect(parseDuration("10h")).toBe(10 * H);
    expect(parseDuration("1d")).toBe(24 * H);
    for (const bad of ["5", "s", "1.5h", "-5s", "5 s x", "5sec", "", "0x10s"]) expect(parseDuration(bad)).toBeNull();
  });

  it("reads the default schedule", () => {
    expect(parseSchedule("5s,5m,30m,2h,5h,10h,10h")).toEqual([5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H]);
    expect(parseSchedule(" 50ms , 1s ")).toEqual([50, S]);
  });

  it("refuses a bad schedule, naming the step, and at start the variable", () => {
    expect(() => parseSchedule("")).toThrow(/at least one delay/);
    expect(() => parseSchedule("5s,,5m")).toThrow(/delay 2 \(""\)/);
    expect(() => parseSchedule("5s,5x")).toThrow(/delay 2 \("5x"\) must be a number with a unit/);
    expect(() => parseSchedule("5s,8d")).toThrow(/delay 2 \(8d\) is longer than 7 days/);
    expect(() => parseSchedule(Array(51).fill("1s").join(","))).toThrow(/at most 50/);
    expect(() => loadConfig({ OUTBOUND_RETRY_SCHEDULE: "soon" })).toThrow(ConfigError);
    expect(() => loadConfig({ OUTBOUND_RETRY_SCHEDULE: "soon" })).toThrow(
      /^invalid configuration: OUTBOUND_RETRY_SCHEDULE: delay 1/,
    );
    expect(loadConfig({}).OUTBOUND_RETRY_SCHEDULE).toHaveLength(7);
  });

  it("jitters within ±20 %", () => {
    expect(jitter(10_000, () => 0)).toBe(8000);
    expect(jitter(10_000, () => 0.5)).toBe(10_000);
    expect(jitter(10_000, () => 0.999_999)).toBe(12_000);
    for (let i = 0; i < 1000; i++) {
      const d = jitter(5 * M);
      expect(d).toBeGreaterThanOrEqual(4 * M);
      expect(d).toBeLessThanOrEqual(6 * M);
    }
  });

  it("gives the delay after attempt n, and null after the last", () => {
    const schedule = parseSchedule("5s,5m,30m");
    const middle = () => 0.5;
    expect(retryDelay(schedule, 1, middle)).toBe(5 * S);
    expect(retryDelay(schedule, 2, middle)).toBe(5 * M);
    expect(retryDelay(schedule, 3, middle)).toBe(30 * M);
    expect(retryDelay(schedule, 4, middle)).toBeNull(); // 3 delays: 4 attempts
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-11-27T12:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("1", now)).toBe(1000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter("0", now)).toBe(0);
  });

  it("reads an HTTP date, a past one as now", () => {
    expect(parseRetryAfter("Fri, 27 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Fri, 27 Nov 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores what it cannot read", () => {
    for (const bad of [undefined, null, "", "soon", "-5", "1.5", "2026-11-27T12:00:30Z", "Fri, 99 Foo 2026"])
      expect(parseRetryAfter(bad, now)).toBeNull();
  });

  it("waits at least the schedule's delay, at most the cap", () => {
    const schedule = parseSchedule("5s,5m,30m");
    expect(retryAfterCap(schedule)).toBe(30 * M);
    expect(retryAfterCap(parseSchedule("50ms,50ms"))).toBe(M); // never under a minute
    expect(nextDelay(5 * S, undefined, schedule)).toBe(5 * S);
    expect(nextDelay(5 * S, 1000, schedule)).toBe(5 * S); // asked for less than planned
    expect(nextDelay(5 * S, 20 * S, schedule)).toBe(20 * S);
    expect(nextDelay(5 * S, 10 * H, schedule)).toBe(30 * M); // capped
    expect(nextDelay(50, 1000, parseSchedule("50ms,50ms"))).toBe(1000);
  });
});
