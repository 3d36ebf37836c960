import { describe, expect, it } from "vitest";
import { groupsTable, groupView, leadTimeReport, repositoriesTable } from "../../../src/cli/format/groups.js";
import type { LeadTimeReport, StageSummary } from "../../../src/api/schemas/answers.js";

const summary = (count: number, median: number | null, p90: number | null): StageSummary => ({
  count,
  medianSeconds: median,
  p90Seconds: p90,
});
const stages = {
  coding: summary(2, 7200, 10_800),
  pickup: summary(2, 1800, 3000),
  review: summary(1, 90_000, 90_000),
  deploy: summary(0, null, null),
};

const report: LeadTimeReport = {
  repository: null,
  group: "payments",
  repositories: ["acme/api", "acme/web"],
  environment: null,
  productionEnvironments: ["prod*"],
  since: "2026-11-01T00:00:00.000Z",
  until: "2026-12-01T00:00:00.000Z",
  merged: 2,
  stages,
  byRepository: [
    { repository: "acme/api", merged: 1, stages },
    { repository: "acme/web", merged: 1, stages: { ...stages, coding: summary(1, 3600, 3600) } },
  ],
  pullRequests: [],
};

describe("lead time for people", () => {
  it("what was counted, a stage a row, and the medians per repository for a group", () => {
    expect(leadTimeReport(report).split("\n")).toEqual([
      "group payments (acme/api, acme/web) · production (prod*)",
      "2026-11-01 00:00:00Z → 2026-12-01 00:00:00Z · 2 merged pull requests",
      "",
      "STAGE   MEDIAN  P90    PRS",
      "coding  2h      3h     2",
      "pickup  30m     50m    2",
      "review  1d 1h   1d 1h  1",
      "deploy  —       —      0",
      "",
      "REPOSITORY  MERGED  CODING MEDIAN  PICKUP MEDIAN  REVIEW MEDIAN  DEPLOY MEDIAN",
      "acme/api    1       2h             30m            1d 1h          —",
      "acme/web    1       1h             30m            1d 1h          —",
    ]);
  });

  it("one repository: no table per repository", () => {
    const one = { ...report, group: null, repository: "acme/web", environment: "staging", merged: 1 };
    const lines = leadTimeReport({ ...one, byRepository: report.byRepository.slice(1) }).split("\n");
    expect(lines[0]).toBe("acme/web · environment staging");
    expect(lines[1]).toMatch(/· 1 merged pull request$/);
    expect(lines).toHaveLength(8);
  });
});

describe("groups for people", () => {
  const group = {
    name: "payments",
    description: "Payments team",
    repositories: ["acme/*"],
    services: [],
    createdAt: "2026-11-01T00:00:00.000Z",
    updatedAt: "2026-11-02T03:04:05.000Z",
  };

  it("a group field by field, a list as a table, an empty list says how to add one", () => {
    expect(groupView(group).split("\n")).toEqual([
      "group         payments",
      "description   Payments team",
      "repositories  acme/*",
      "services      —",
      "updated       2026-11-02 03:04:05Z",
    ]);
    expect(groupsTable({ items: [group] }).split("\n")).toEqual([
      "NAME      REPOSITORIES  SERVICES  DESCRIPTION",
      "payments  acme/*                  Payments team",
    ]);
    expect(groupsTable({ items: [] })).toMatch(/^no groups/);
  });

  it("repositories with their counts and groups", () => {
    const items = [
      {
        repository: "acme/web",
        services: ["web"],
        deploys: 3,
        pullRequests: 12,
        lastDeployAt: "2026-11-02T03:04:05.000Z",
        groups: ["payments", "web"],
      },
      { repository: "acme/api", services: [], deploys: 0, pullRequests: 1, lastDeployAt: null, groups: [] },
    ];
    expect(repositoriesTable({ items }).split("\n")).toEqual([
      "REPOSITORY  DEPLOYS  PULL REQUESTS  LAST DEPLOY           GROUPS",
      "acme/web    3        12             2026-11-02 03:04:05Z  payments, web",
      "acme/api    0        1              —",
    ]);
  });
});
