import { describe, expect, it } from "vitest";
import { breakerChange, breakerWait, subscriptionChange } from "../../../src/outbound/delivery/breaker.js";
import { summarize } from "../../../src/outbound/delivery/health.js";

const t = (s: number) => new Date(Date.parse("2026-12-01T00:00:00Z") + s * 1000);
const report = (attempts: Array<[ok: boolean, at: number]>) =>
  summarize(attempts.map(([ok, at]) => ({ subscriptionId: "s", ok, at: t(at), gone: false }))).get("s")!;
const limits = { failures: 3, cooldownMs: 60_000 };
const closed = { breakerFailures: 0, breakerOpenUntil: null };

describe("circuit breaker", () => {
  it("counts the failures after the batch's last success, in the order they were made", () => {
    expect(
      report([
        [false, 3],
        [true, 2],
        [false, 1],
        [false, 4],
      ]).failuresSinceSuccess,
    ).toBe(2);
    expect(report([[true, 1]]).failuresSinceSuccess).toBe(0);
  });

  it("changes nothing on successes while closed", () => {
    expect(breakerChange(closed, report([[true, 1]]), limits)).toBeNull();
  });

  it("counts consecutive failures across batches and opens at the limit until the last one plus the cooldown", () => {
    const one = breakerChange(closed, report([[false, 1]]), limits);
    expect(one).toEqual({ breakerFailures: 1, breakerOpenUntil: null });
    const open = breakerChange(
      one!,
      report([
        [false, 5],
        [false, 4],
      ]),
      limits,
    );
    expect(open).toEqual({ breakerFailures: 3, breakerOpenUntil: t(65) });
  });

  it("a success resets the count; a probe's failure opens it again, its success closes it", () => {
    expect(breakerChange({ breakerFailures: 2, breakerOpenUntil: null }, report([[true, 9]]), limits)).toEqual(closed);
    const halfOpen = { breakerFailures: 3, breakerOpenUntil: t(65) };
    expect(breakerChange(halfOpen, report([[false, 70]]), limits)).toEqual({
      breakerFailures: 4,
      breakerOpenUntil: t(130),
    });
    expect(breakerChange(halfOpen, report([[true, 70]]), limits)).toEqual(closed);
  });

  it("never opens when turned off (0)", () => {
    const off = { failures: 0, cooldownMs: 60_000 };
    expect(breakerChange({ breakerFailures: 99, breakerOpenUntil: null }, report([[false, 1]]), off)).toEqual({
      breakerFailures: 100,
      breakerOpenUntil: null,
    });
  });

  it("tells an attempt to go, wait, or probe", () => {
    expect(breakerWait(null, t(0).getTime())).toBe(0);
    expect(breakerWait(t(10), t(4).getTime())).toBe(6000);
    expect(breakerWait(t(10), t(10).getTime())).toBe("probe");
  });

  it("combines with health: one change for both, null when neither changes", () => {
    const row = { enabled: true, failingSince: null, ...closed };
    expect(subscriptionChange(row, report([[true, 1]]), 86_400_000, limits)).toBeNull();
    expect(subscriptionChange(row, report([[false, 1]]), 86_400_000, limits)).toEqual({
      failingSince: t(1),
      breakerFailures: 1,
      breakerOpenUntil: null,
    });
    // Failing already (no health change), the breaker alone changes.
    expect(
      subscriptionChange({ ...row, failingSince: t(1), breakerFailures: 2 }, report([[false, 2]]), 86_400_000, limits),
    ).toEqual({ failingSince: t(1), breakerFailures: 3, breakerOpenUntil: t(62) });
  });
});
