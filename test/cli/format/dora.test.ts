import { describe, expect, it } from "vitest";
import { doraFigures, doraReport } from "../../../src/cli/format/dora.js";
import type { DoraReport as DoraAnswer } from "../../../src/api/schemas/answers.js";

const answer: DoraAnswer = {
  repository: "acme/shop",
  group: null,
  repositories: ["acme/shop"],
  environment: null,
  environments: ["production-eu", "production-us"],
  productionEnvironments: ["prod*", "production*", "live"],
  since: "2026-10-31T00:00:00.000Z",
  until: "2026-11-03T00:00:00.000Z",
  deploymentFrequency: { deploys: 3, perDay: 1 },
  leadTimeForChanges: { changes: 4, medianSeconds: 7500, p90Seconds: 97_200 },
  changeFailureRate: { deployments: 3, failures: 1, rate: 1 / 3 },
  timeToRestore: { restored: 1, medianSeconds: 2700 },
  deploymentReworkRate: { deployments: 3, reworks: 1, rate: 1 / 3 },
  deploys: [],
  bands: {
    deploymentFrequency: "elite",
    leadTimeForChanges: "elite",
    changeFailureRate: "low",
    timeToRestore: "elite",
  },
};

describe("DORA figures", () => {
  it("one metric a line under DORA's current names, headline figures right-aligned in one column", () => {
    const lines = doraFigures(answer, answer.bands).split("\n");
    expect(lines).toEqual([
      "Deployment frequency             1.00/day  3 successful deploys · elite",
      "Change lead time                    2h 5m  median · p90 1d 3h · 4 changes · elite",
      "Change fail rate                   33.3 %  1 of 3 deployments · low",
      "Failed deployment recovery time       45m  median · 1 recovery · elite",
      "Deployment rework rate             33.3 %  1 of 3 deployments",
    ]);
  });

  it("dashes where there is nothing to measure", () => {
    const none = doraFigures({
      deploymentFrequency: { deploys: 0, perDay: 0 },
      leadTimeForChanges: { changes: 0, medianSeconds: null, p90Seconds: null },
      changeFailureRate: { deployments: 0, failures: 0, rate: null },
      timeToRestore: { restored: 0, medianSeconds: null },
      deploymentReworkRate: { deployments: 0, reworks: 0, rate: null },
    });
    expect(none.split("\n")).toEqual([
      "Deployment frequency             0.00/day  0 successful deploys",
      "Change lead time                        —  median · p90 — · 0 changes",
      "Change fail rate                        —  0 of 0 deployments",
      "Failed deployment recovery time         —  median · 0 recoveries",
      "Deployment rework rate                  —  0 of 0 deployments",
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
    expect(lines.at(-2)).toMatch(/^START\s+DEPLOYS\s+PER DAY\s+LEAD TIME\s+FAIL RATE\s+RECOVERY\s+REWORK$/);
    expect(lines.at(-1)).toMatch(/^2026-10-31 00:00:00Z\s+3\s+1\.00\s+2h 5m\s+33\.3 %\s+45m\s+33\.3 %$/);
    expect(doraReport({ ...answer, environment: "staging" }).split("\n")[0]).toBe("acme/shop · environment staging");
    const group = { ...answer, repository: null, group: "payments", repositories: ["acme/pay", "acme/shop"] };
    expect(doraReport(group).split("\n")[0]).toMatch(/^group payments \(acme\/pay, acme\/shop\) · production/);
  });
});
