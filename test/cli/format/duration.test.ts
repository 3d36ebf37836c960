import { describe, expect, it } from "vitest";
import { duration } from "../../../src/cli/format/duration.js";
import { clip, percent, when } from "../../../src/cli/format/values.js";

describe("duration", () => {
  it("says seconds in the two largest units", () => {
    expect(duration(0)).toBe("0s");
    expect(duration(0.25)).toBe("250ms");
    expect(duration(45)).toBe("45s");
    expect(duration(59.6)).toBe("1m");
    expect(duration(310)).toBe("5m 10s");
    expect(duration(7200)).toBe("2h");
    expect(duration(7500)).toBe("2h 5m");
    expect(duration(3 * 86_400 + 4 * 3600 + 59)).toBe("3d 4h");
    expect(duration(86_400 + 30)).toBe("1d");
    expect(duration(-90)).toBe("-1m 30s");
  });

  it("has a dash for no figure", () => {
    expect(duration(null)).toBe("—");
    expect(duration(undefined)).toBe("—");
    expect(duration(Number.NaN)).toBe("—");
  });
});

describe("values", () => {
  it("prints dates in UTC to the second", () => {
    expect(when("2026-11-01T12:00:03.456Z")).toBe("2026-11-01 12:00:03Z");
    expect(when("2026-11-01T13:00:03+01:00")).toBe("2026-11-01 12:00:03Z");
    expect(when(null)).toBe("—");
    expect(when("not a date")).toBe("not a date");
  });

  it("clips to one line of at most n characters", () => {
    expect(clip("short", 10)).toBe("short");
    expect(clip("exactly 10", 10)).toBe("exactly 10");
    expect(clip("one more char", 10)).toBe("one more …");
    expect(clip("first line\nsecond", 40)).toBe("first line…");
    expect(clip("🚀🚀🚀🚀", 3)).toBe("🚀🚀…");
    expect(clip(null)).toBe("");
  });

  it("prints ratios as percentages", () => {
    expect(percent(1 / 3)).toBe("33.3 %");
    expect(percent(0)).toBe("0.0 %");
    expect(percent(null)).toBe("—");
  });
});
