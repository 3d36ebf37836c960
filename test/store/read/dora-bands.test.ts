import { describe, expect, it } from "vitest";
import { doraBands } from "../../../src/store/read/dora-bands.js";

const H = 3600;
const figures = (perDay: number, lead: number | null, rate: number | null, restore: number | null) => ({
  deploymentFrequency: { deploys: perDay ? 10 : 0, perDay },
  leadTimeForChanges: { medianSeconds: lead },
  changeFailureRate: { rate },
  timeToRestore: { medianSeconds: restore },
});

describe("doraBands (DORA 2023 levels, gaps closed)", () => {
  it("takes the best level whose bound the value meets", () => {
    expect(doraBands(figures(2, 23 * H, 0.05, 59 * 60))).toEqual({
      deploymentFrequency: "elite",
      leadTimeForChanges: "elite",
      changeFailureRate: "elite",
      timeToRestore: "elite",
    });
    expect(doraBands(figures(1 / 7, 24 * H, 0.1, H))).toEqual({
      deploymentFrequency: "high",
      leadTimeForChanges: "high",
      changeFailureRate: "high",
      timeToRestore: "high",
    });
    expect(doraBands(figures(1 / 30, 7 * 24 * H, 0.15, 24 * H))).toEqual({
      deploymentFrequency: "medium",
      leadTimeForChanges: "medium",
      changeFailureRate: "medium",
      timeToRestore: "medium",
    });
    expect(doraBands(figures(1 / 31, 30 * 24 * H, 0.16, 7 * 24 * H))).toEqual({
      deploymentFrequency: "low",
      leadTimeForChanges: "low",
      changeFailureRate: "low",
      timeToRestore: "low",
    });
  });

  it("rates nothing without a measure", () => {
    expect(doraBands(figures(0, null, null, null))).toEqual({
      deploymentFrequency: null,
      leadTimeForChanges: null,
      changeFailureRate: null,
      timeToRestore: null,
    });
  });
});
