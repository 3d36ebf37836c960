/**
 * DORA's 2023 performance levels (Accelerate State of DevOps Report 2023, "software delivery
 * performance" clusters), for the metrics that have them; deployment rework rate, added in 2024,
 * has none. A value takes the best level whose bound it meets (docs/dora.md "Bands").
 */
export const BANDS = ["elite", "high", "medium", "low"] as const;
export type Band = (typeof BANDS)[number];

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Upper bounds of elite, high and medium; anything beyond is low. */
const BOUNDS = {
  /** Change lead time (median): less than a day, a day to a week, a week to a month. */
  leadTime: [DAY, 7 * DAY, 30 * DAY],
  /** Failed deployment recovery time (median): under an hour, under a day, a day to a week. */
  recoveryTime: [HOUR, DAY, 7 * DAY],
  /** Change fail rate: the clusters' 5 %, 10 % and 15 %. */
  changeFailRate: [0.05, 0.1, 0.15],
} as const;

function levelBelow(value: number | null, bounds: readonly number[], inclusive: boolean): Band | null {
  if (value === null) return null;
  const i = bounds.findIndex((b) => (inclusive ? value <= b : value < b));
  return BANDS[i < 0 ? 3 : i]!;
}

/**
 * Deployment frequency's levels are rates: elite on demand (several a day: at least one a day on
 * average), high at least weekly, medium at least monthly, low less often.
 */
function frequencyBand(perDay: number, deploys: number): Band | null {
  if (!deploys) return null;
  if (perDay >= 1) return "elite";
  if (perDay >= 1 / 7) return "high";
  if (perDay >= 1 / 30) return "medium";
  return "low";
}

export interface BandInputs {
  deploymentFrequency: { deploys: number; perDay: number };
  leadTimeForChanges: { medianSeconds: number | null };
  changeFailureRate: { rate: number | null };
  timeToRestore: { medianSeconds: number | null };
}

export function doraBands(f: BandInputs) {
  return {
    deploymentFrequency: frequencyBand(f.deploymentFrequency.perDay, f.deploymentFrequency.deploys),
    leadTimeForChanges: levelBelow(f.leadTimeForChanges.medianSeconds, BOUNDS.leadTime, false),
    changeFailureRate: levelBelow(f.changeFailureRate.rate, BOUNDS.changeFailRate, true),
    timeToRestore: levelBelow(f.timeToRestore.medianSeconds, BOUNDS.recoveryTime, false),
  };
}
