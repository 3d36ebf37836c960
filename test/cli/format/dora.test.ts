import { describe, expect, it } from "vitest";
import { doraFigures, doraReport } from "../../../src/cli/format/dora.js";
import type { DoraReport as DoraAnswer } from "../../../src/api/schemas/answers.js";

const answer: DoraAnswer = {
  repository: "acme/shop",
  environment: null,
  environments: ["production-eu", "production-us"],
  productionEnvironments: ["prod*", "production*", "live"],
  since: "2026-10-31T00:00:00.000Z",
  until: "2026-11-03T00:00:00.000Z",
  deploymentFrequency: { deploys: 3, perDay: 1 },
  leadTimeForChanges: { changes: 4, medianSeconds: 7500, p90Seconds: 97_200 },
  changeFailureRate: { deployments: 3, failures: 1, rate: 1 / 3 },
  timeToRestore: { restored: 1, medianSeconds: 2700 },
  deploys: [],
};

describe("DORA figures", () => {
  it("one key a line, headline figures right-aligned in one column", () => {
    const lines = doraFigures(answer).split("\n");
    expect(lines).toEqual([
      "Deployment frequency   1.00/day  3 successful deploys",
      "Lead time for changes     2h 5m  median · p90 1d 3h · 4 changes",
      "Change failure rate      33.3 %  1 of 3 deployments",
      "Time to restore             45m  median · 1 restore",
    ]);
  });

  it("dashes where there is nothing to measure", () => {
    const none = doraFigures({
      deploymentFrequency: { deploys: 0, perDay: 0 },
      leadTimeForChanges: { changes: 0, medianSeconds: null, p90Seconds: null },
      changeFailureRate: { deployments: 0, failures: 0, rate: null },
      timeToRestore: { restored: 0, medianSeconds: null },
    });
    expect(none.split("\n")).toEqual([
      "Deployment frequency   0.00/day  0 successful deploys",
      "Lead time for changes         —  median · p90 — · 0 changes",
      "Change failure rate           —  0 of 0 deployments",
      "Time to restore               —  median · 0 restores",
    ]);
  });

  it("says what was counted, and the series when asked for", () => {
    const out = doraReport({
      ...answer,
      series: [{ ...answer, start: "2026-10-31T00:00:00Z", end: "2026-11-01T00:00:00Z" }],
    });
    const lines = out.split("\n");
    expect(lines[0]).toBe("acme/shop · production (prod*, production*, live): production-eu, production-us");
    expect(lines[1]).toBe("2026-10-31 00:00:00Z → 2026-11-03 00:00:00Z");
    expect(lines.at(-2)).toMatch(/^START\s+DEPLOYS\s+PER DAY\s+LEAD TIME\s+FAILURE RATE\s+RESTORE$/);
    expect(lines.at(-1)).toMatch(/^2026-10-31 00:00:00Z\s+3\s+1\.00\s+2h 5m\s+33\.3 %\s+45m$/);
    expect(doraReport({ ...answer, environment: "staging" }).split("\n")[0]).toBe("acme/shop · environment staging");
  });
});
