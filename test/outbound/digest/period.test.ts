import { describe, expect, it } from "vitest";
import { duePeriods, periodStart } from "../../../src/outbound/digest/period.js";

const t = (iso: string) => new Date(iso);
const spans = (ps: ReturnType<typeof duePeriods>) => ps.map((p) => [p.start.toISOString(), p.end.toISOString()]);

describe("digest periods", () => {
  it("start at the UTC hour and the UTC day", () => {
    expect(periodStart(t("2026-12-07T10:59:59.999Z"), "hourly")).toEqual(t("2026-12-07T10:00:00Z"));
    expect(periodStart(t("2026-12-07T11:00:00Z"), "hourly")).toEqual(t("2026-12-07T11:00:00Z"));
    expect(periodStart(t("2026-12-07T23:59:59Z"), "daily")).toEqual(t("2026-12-07T00:00:00Z"));
  });

  it("are due only once the delay after their end has passed", () => {
    const since = t("2026-12-07T00:00:00Z");
    const at = (iso: string) => spans(duePeriods(t(iso), "hourly", 60_000, since, 1));
    expect(at("2026-12-07T11:00:59Z")).toEqual([["2026-12-07T09:00:00.000Z", "2026-12-07T10:00:00.000Z"]]);
    expect(at("2026-12-07T11:01:00Z")).toEqual([["2026-12-07T10:00:00.000Z", "2026-12-07T11:00:00.000Z"]]);
  });

  it("catch up at most `max` periods, oldest first, none that ended before `since`", () => {
    const now = t("2026-12-07T11:05:00Z");
    expect(spans(duePeriods(now, "hourly", 60_000, t("2026-12-01T00:00:00Z"), 3))).toEqual([
      ["2026-12-07T08:00:00.000Z", "2026-12-07T09:00:00.000Z"],
      ["2026-12-07T09:00:00.000Z", "2026-12-07T10:00:00.000Z"],
      ["2026-12-07T10:00:00.000Z", "2026-12-07T11:00:00.000Z"],
    ]);
    // Changed at 09:30: the 09:00 hour (which it saw part of) is the first.
    expect(spans(duePeriods(now, "hourly", 60_000, t("2026-12-07T09:30:00Z"), 24))).toEqual([
      ["2026-12-07T09:00:00.000Z", "2026-12-07T10:00:00.000Z"],
      ["2026-12-07T10:00:00.000Z", "2026-12-07T11:00:00.000Z"],
    ]);
    // Created after the last period ended: nothing yet.
    expect(duePeriods(now, "hourly", 60_000, t("2026-12-07T11:00:00Z"), 24)).toEqual([]);
  });

  it("a day ends at midnight UTC", () => {
    const due = duePeriods(t("2026-12-08T00:01:00Z"), "daily", 60_000, t("2026-12-01T12:00:00Z"), 2);
    expect(spans(due)).toEqual([
      ["2026-12-06T00:00:00.000Z", "2026-12-07T00:00:00.000Z"],
      ["2026-12-07T00:00:00.000Z", "2026-12-08T00:00:00.000Z"],
    ]);
    expect(due.every((p) => p.period === "daily")).toBe(true);
  });
});
