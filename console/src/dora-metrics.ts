// DORA's five metrics as the DORA page shows them: DORA's current names, how each figure reads, what
// it counted, and the 2023 levels' thresholds for a hover. The levels themselves are the API's
// (`bands` of GET /api/metrics/dora), so the console and the API never rate a figure differently.
import type { DoraBands, DoraFigures } from "./api";
import { fmtDuration, fmtFrequency, fmtPercent, plural } from "./format";

export interface Metric {
  key: keyof DoraFigures;
  title: string;
  value: (f: DoraFigures) => string;
  detail: (f: DoraFigures) => string;
  /** The key of the answer's `bands`; none for rework rate, which DORA gives no levels. */
  band?: keyof DoraBands;
  help: string;
}

export const METRICS: Metric[] = [
  {
    key: "deploymentFrequency",
    title: "Deployment frequency",
    value: (f) => fmtFrequency(f.deploymentFrequency.perDay),
    detail: (f) => plural(f.deploymentFrequency.deploys, "successful deploy"),
    band: "deploymentFrequency",
    help: "elite ≥ 1/day · high ≥ 1/week · medium ≥ 1/month · low below",
  },
  {
    key: "leadTimeForChanges",
    title: "Change lead time",
    value: (f) => fmtDuration(f.leadTimeForChanges.medianSeconds),
    detail: (f) =>
      `median of ${plural(f.leadTimeForChanges.changes, "change")} · ` +
      `p90 ${fmtDuration(f.leadTimeForChanges.p90Seconds)}`,
    band: "leadTimeForChanges",
    help: "median; elite < 1 day · high < 1 week · medium < 1 month · low above",
  },
  {
    key: "changeFailureRate",
    title: "Change fail rate",
    value: (f) => fmtPercent(f.changeFailureRate.rate),
    detail: (f) =>
      `${plural(f.changeFailureRate.failures, "failure")} in ${plural(f.changeFailureRate.deployments, "deploy")}`,
    band: "changeFailureRate",
    help: "failed deploys, rollbacks, reverts, caused incidents; elite ≤ 5 % · high ≤ 10 % · medium ≤ 15 % · low above",
  },
  {
    key: "timeToRestore",
    title: "Failed deployment recovery time",
    value: (f) => fmtDuration(f.timeToRestore.medianSeconds),
    detail: (f) => `median of ${plural(f.timeToRestore.restored, "recovery", "recoveries")}`,
    band: "timeToRestore",
    help: "median; elite < 1 hour · high < 1 day · medium < 1 week · low above",
  },
  {
    key: "deploymentReworkRate",
    title: "Deployment rework rate",
    value: (f) => fmtPercent(f.deploymentReworkRate.rate),
    detail: (f) =>
      `${plural(f.deploymentReworkRate.reworks, "rework")} in ${plural(f.deploymentReworkRate.deployments, "deploy")}`,
    help: "unplanned fixes: deploys shipping a fix for an incident or bug, a revert, a rollback; DORA gives no levels",
  },
];
