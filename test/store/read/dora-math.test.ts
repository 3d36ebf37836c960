import { describe, expect, it } from "vitest";
import {
  bucketStart,
  type DoraDeploy,
  type DoraFacts,
  doraFigures,
  doraSeries,
  matchesEnvironment,
  percentile,
} from "../../../src/store/read/dora-math.js";

/** DORA's definitions (docs/dora.md) on hand-made facts. */

const H = 3600;
const t = (iso: string) => new Date(`${iso}Z`);
const deploy = (key: string, environment: string, status: string, at: string): DoraDeploy => ({
  key,
  repository: "acme/web",
  environment,
  status,
  finishedAt: t(at),
});

describe("percentile (linear interpolation, as percentile_cont)", () => {
  it("interpolates between closest ranks", () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([5], 0.9)).toBe(5);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 10);
    expect(percentile([10, 20], 0.9)).toBe(19);
    expect(percentile([10, 20, 30], 0)).toBe(10);
    expect(percentile([10, 20, 30], 1)).toBe(30);
  });
});

describe("doraFigures", () => {
  const facts: DoraFacts = {
    since: t("2026-02-02T00:00:00"),
    until: t("2026-02-09T00:00:00"), // 7 days
    deploys: [
      deploy("g", "us", "succeeded", "2026-02-01T10:00:00"), // before the window
      deploy("a", "us", "succeeded", "2026-02-02T10:00:00"),
      deploy("b", "us", "failed", "2026-02-03T10:00:00"),
      deploy("c", "us", "succeeded", "2026-02-03T12:00:00"), // restores b: 2 h
      deploy("eu1", "eu", "failed", "2026-02-04T10:00:00"), // no later success in eu: never restored
      deploy("d", "us", "succeeded", "2026-02-05T10:00:00"),
      deploy("e", "us", "succeeded", "2026-02-06T10:00:00"), // rolls back d: 24 h
      deploy("f", "us", "succeeded", "2026-02-10T10:00:00"), // after the window
    ],
    changes: [
      { deploy: "a", startedAt: t("2026-02-01T10:00:00") }, // 24 h
      { deploy: "c", startedAt: t("2026-02-03T06:00:00") }, // 6 h
      { deploy: "c", startedAt: null }, // no start known: not counted
      { deploy: "d", startedAt: t("2026-02-05T11:00:00") }, // negative: dropped
      { deploy: "e", startedAt: t("2026-02-06T08:00:00") }, // 2 h
      { deploy: "g", startedAt: t("2026-01-31T10:00:00") }, // its deploy is outside the window
    ],
    restorations: [
      { failed: "d", restoredBy: "f" }, // a later restoration: the earliest (e) counts
      { failed: "d", restoredBy: "e" },
      { failed: "g", restoredBy: "a" }, // a failure outside the window
      { failed: "a", restoredBy: "deploy:unknown" }, // its restorer is not known: a failure, not restored
    ],
    incidentFailures: [],
    reworks: [],
  };

  it("computes the four keys over the window", () => {
    const r = doraFigures(facts);
    expect(r.deploymentFrequency).toEqual({ deploys: 4, perDay: 4 / 7 });
    expect(r.leadTimeForChanges.changes).toBe(3);
    expect(r.leadTimeForChanges.medianSeconds).toBe(6 * H);
    expect(r.leadTimeForChanges.p90Seconds).toBeCloseTo(20.4 * H, 6);
    expect(r.changeFailureRate).toEqual({ deployments: 6, failures: 4, rate: 4 / 6 });
    expect(r.timeToRestore).toEqual({ restored: 2, medianSeconds: 13 * H });
    expect(r.deploys.map((d) => [d.key, d.failure])).toEqual([
      ["a", true],
      ["b", true],
      ["c", false],
      ["eu1", true],
      ["d", true],
      ["e", false],
    ]);
  });

  it("gives null rates and medians for an empty window", () => {
    const r = doraFigures({ ...facts, since: t("2026-03-01T00:00:00"), until: t("2026-03-02T00:00:00") });
    expect(r.deploymentFrequency).toEqual({ deploys: 0, perDay: 0 });
    expect(r.leadTimeForChanges).toEqual({ changes: 0, medianSeconds: null, p90Seconds: null });
    expect(r.changeFailureRate).toEqual({ deployments: 0, failures: 0, rate: null });
    expect(r.timeToRestore).toEqual({ restored: 0, medianSeconds: null });
    expect(r.deploymentReworkRate).toEqual({ deployments: 0, reworks: 0, rate: null });
  });
});

describe("doraFigures with incidents and rework", () => {
  const facts: DoraFacts = {
    since: t("2026-02-02T00:00:00"),
    until: t("2026-02-09T00:00:00"),
    deploys: [
      deploy("a", "prod", "succeeded", "2026-02-02T10:00:00"), // caused incident 1, resolved after 3 h
      deploy("b", "prod", "succeeded", "2026-02-03T10:00:00"), // caused incident 2 and was rolled back by c (1 h)
      deploy("c", "prod", "succeeded", "2026-02-03T11:00:00"), // a rollback: rework
      deploy("d", "prod", "succeeded", "2026-02-04T10:00:00"), // caused incident 3, still open
      deploy("e", "prod", "succeeded", "2026-02-05T10:00:00"), // ships a bug fix: rework
      deploy("f", "prod", "failed", "2026-02-06T10:00:00"), // a failed attempt is never rework
    ],
    changes: [],
    restorations: [{ failed: "b", restoredBy: "c" }],
    incidentFailures: [
      { deploy: "a", incident: "incident:pagerduty:1", resolvedAt: t("2026-02-02T13:00:00") },
      { deploy: "b", incident: "incident:pagerduty:2", resolvedAt: t("2026-02-03T15:00:00") }, // c came first
      { deploy: "d", incident: "incident:github:acme/web#9", resolvedAt: null },
      { deploy: "z", incident: "incident:pagerduty:4", resolvedAt: null }, // not counted in this window
    ],
    reworks: ["c", "e", "f"],
  };

  it("counts an incident's top suspect as a failure, restored when the incident resolves or the fix ships", () => {
    const r = doraFigures(facts);
    expect(r.changeFailureRate).toEqual({ deployments: 6, failures: 4, rate: 4 / 6 }); // a, b, d, f
    // a: 3 h; b: 1 h (c, before the incident resolved); d: open; f: never restored
    expect(r.timeToRestore).toEqual({ restored: 2, medianSeconds: 2 * H });
    expect(r.deploymentReworkRate).toEqual({ deployments: 5, reworks: 2, rate: 2 / 5 });
    expect(r.deploys.map((d) => [d.key, d.failure, d.rework, d.incidents])).toEqual([
      ["a", true, false, ["incident:pagerduty:1"]],
      ["b", true, false, ["incident:pagerduty:2"]],
      ["c", false, true, []],
      ["d", true, false, ["incident:github:acme/web#9"]],
      ["e", false, true, []],
      ["f", true, false, []],
    ]);
  });
});

describe("bucketStart (UTC)", () => {
  it("starts weeks on Monday, days at midnight and months on the 1st", () => {
    expect(bucketStart(t("2026-02-08T23:59:59"), "week")).toEqual(t("2026-02-02T00:00:00")); // a Sunday
    expect(bucketStart(t("2026-02-02T00:00:00"), "week")).toEqual(t("2026-02-02T00:00:00")); // a Monday
    expect(bucketStart(t("2026-02-04T15:00:00"), "week")).toEqual(t("2026-02-02T00:00:00"));
    expect(bucketStart(t("2026-03-01T12:00:00"), "week")).toEqual(t("2026-02-23T00:00:00")); // across months
    expect(bucketStart(t("2026-01-01T12:00:00"), "week")).toEqual(t("2025-12-29T00:00:00")); // across years
    expect(bucketStart(t("2026-02-04T15:00:00"), "day")).toEqual(t("2026-02-04T00:00:00"));
    expect(bucketStart(t("2026-02-14T15:00:00"), "month")).toEqual(t("2026-02-01T00:00:00"));
  });
});

describe("doraSeries", () => {
  const facts: DoraFacts = {
    since: t("2026-02-04T12:00:00"), // a Wednesday
    until: t("2026-02-18T00:00:00"),
    deploys: [
      deploy("a", "us", "succeeded", "2026-02-05T10:00:00"),
      deploy("b", "us", "failed", "2026-02-08T23:00:00"),
      deploy("c", "us", "succeeded", "2026-02-09T01:00:00"), // next week: restores b
      deploy("d", "us", "succeeded", "2026-02-17T10:00:00"),
    ],
    changes: [{ deploy: "c", startedAt: t("2026-02-08T01:00:00") }],
    restorations: [],
    incidentFailures: [],
    reworks: [],
  };

  it("clamps the first and last buckets to the window; a failure counts in its own bucket", () => {
    const s = doraSeries(facts, "week");
    expect(s.map((b) => [b.start, b.end])).toEqual([
      [t("2026-02-04T12:00:00"), t("2026-02-09T00:00:00")],
      [t("2026-02-09T00:00:00"), t("2026-02-16T00:00:00")],
      [t("2026-02-16T00:00:00"), t("2026-02-18T00:00:00")],
    ]);
    expect(s.map((b) => b.deploymentFrequency.deploys)).toEqual([1, 1, 1]);
    expect(s.map((b) => b.changeFailureRate.failures)).toEqual([1, 0, 0]);
    expect(s[0]!.timeToRestore).toEqual({ restored: 1, medianSeconds: 2 * H });
    expect(s[1]!.leadTimeForChanges).toEqual({ changes: 1, medianSeconds: 24 * H, p90Seconds: 24 * H });
    expect(s[0]!.deploymentFrequency.perDay).toBeCloseTo(1 / 4.5, 10); // 4.5 days in the first bucket
  });

  it("stops at `max` buckets", () => {
    expect(doraSeries(facts, "day", 3)).toHaveLength(3);
    expect(doraSeries(facts, "day")).toHaveLength(14);
  });
});

describe("matchesEnvironment", () => {
  const PRODUCTION = ["prod*", "production*", "live"];
  it("matches the production globs case-insensitively, the whole name", () => {
    expect(matchesEnvironment("Production-US", PRODUCTION)).toBe(true);
    expect(matchesEnvironment("prod", PRODUCTION)).toBe(true);
    expect(matchesEnvironment("LIVE", PRODUCTION)).toBe(true);
    expect(matchesEnvironment("preprod", PRODUCTION)).toBe(false);
    expect(matchesEnvironment("live-eu", PRODUCTION)).toBe(false);
    expect(matchesEnvironment("staging", PRODUCTION)).toBe(false);
    expect(matchesEnvironment("staging", [])).toBe(false);
    expect(matchesEnvironment("eu1", ["EU?"])).toBe(true);
  });
});
