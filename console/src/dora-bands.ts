// DORA's performance bands, after the clusters of the 2023 Accelerate State of DevOps report, with
// the gaps between its clusters closed so every value falls in exactly one band:
//   deployment frequency  elite ≥ 1/day · high ≥ 1/week · medium ≥ 1/month · low below
//   lead time (median)    elite < 1 day · high < 1 week · medium < 1 month · low above
//   change failure rate   elite ≤ 5 % · high ≤ 10 % · medium ≤ 15 % · low above
//   time to restore       elite < 1 hour · high < 1 day · medium < 1 week · low above
import type { DoraFigures } from "./api";

export type Band = "elite" | "high" | "medium" | "low";

const HOUR = 3600;
const DAY = 24 * HOUR;

/** The first band whose test the value passes; null when there is nothing to rate. */
function band(value: number | null, tests: [(v: number) => boolean, (v: number) => boolean, (v: number) => boolean]) {
  if (value === null || Number.isNaN(value)) return null;
  const i = tests.findIndex((t) => t(value));
  return (["elite", "high", "medium"] as const)[i] ?? "low";
}

export function bands(f: DoraFigures): Record<keyof DoraFigures, Band | null> {
  const perDay = f.deploymentFrequency.perDay;
  return {
    deploymentFrequency: band(perDay, [(v) => v >= 1, (v) => v >= 1 / 7, (v) => v >= 1 / 30]),
    leadTimeForChanges: band(f.leadTimeForChanges.medianSeconds, [
      (v) => v < DAY,
      (v) => v < 7 * DAY,
      (v) => v < 30 * DAY,
    ]),
    changeFailureRate: band(f.changeFailureRate.rate, [(v) => v <= 0.05, (v) => v <= 0.1, (v) => v <= 0.15]),
    timeToRestore: band(f.timeToRestore.medianSeconds, [(v) => v < HOUR, (v) => v < DAY, (v) => v < 7 * DAY]),
  };
}

export const BAND_HELP: Record<keyof DoraFigures, string> = {
  deploymentFrequency: "elite ≥ 1/day · high ≥ 1/week · medium ≥ 1/month · low below",
  leadTimeForChanges: "elite < 1 day · high < 1 week · medium < 1 month · low above",
  changeFailureRate: "elite ≤ 5 % · high ≤ 10 % · medium ≤ 15 % · low above",
  timeToRestore: "elite < 1 hour · high < 1 day · medium < 1 week · low above",
};
