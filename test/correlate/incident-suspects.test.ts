import { describe, expect, it } from "vitest";
import { incidentsOf, rankSuspects, type SuspectCandidate } from "../../src/correlate/incident-suspects.js";
import type { Facts } from "../../src/correlate/facts.js";

/** The evidence weights of docs/incidents.md on hand-made candidates. */
const t = (h: number) => new Date(Date.UTC(2026, 10, 9, 9) + h * 3_600_000);
const candidate = (key: string, over: Partial<SuspectCandidate> = {}): SuspectCandidate => ({
  key,
  repository: "acme/shop",
  service: "shop",
  environment: "production",
  at: t(0),
  ships: ["github:pr:acme/shop#1"],
  scoped: true,
  rolledBack: false,
  reverted: false,
  ...over,
});

describe("rankSuspects", () => {
  it("adds up the evidence: named, remediated, the last of two", () => {
    const ranked = rankSuspects(
      ["github:pr:acme/shop#7"],
      [
        candidate("deploy:generic:0", { at: t(-24) }),
        candidate("deploy:generic:1", { at: t(3), ships: ["github:pr:acme/shop#7", "x"], reverted: true }),
      ],
    );
    expect(ranked.map((s) => [s.deploy, s.confidence])).toEqual([
      ["deploy:generic:1", 0.85],
      ["deploy:generic:0", 0.25],
    ]);
    expect(ranked[0]!.reasons).toEqual([
      "deployed shop to production before the incident, shipping 2 changes",
      "the incident names PR #7",
      "a change it shipped was reverted",
      "the last deploy of shop to production before the incident",
    ]);
  });

  it("gives the lone deploy of its stream 0.1, leaves out deploys that shipped nothing; 0.9 at most", () => {
    const ranked = rankSuspects(
      ["deploy:generic:a"],
      [
        candidate("deploy:generic:a", { rolledBack: true }),
        candidate("deploy:generic:b", { environment: "prod-eu", ships: [] }),
      ],
    );
    // 0.25 + 0.4 + 0.15 + 0.1 = 0.9
    expect(ranked).toEqual([expect.objectContaining({ deploy: "deploy:generic:a", confidence: 0.9 })]);
    expect(ranked[0]!.reasons).toContain("it was rolled back");
  });

  it("ranks a deploy named but outside the scope by its evidence alone; ties go to the later deploy", () => {
    const ranked = rankSuspects(
      ["github:commit:acme/api@c"],
      [
        candidate("deploy:generic:api", { scoped: false, service: "api", ships: ["github:commit:acme/api@c"] }),
        candidate("deploy:generic:x", { at: t(1) }),
        candidate("deploy:generic:y", { at: t(1), environment: "prod-eu" }),
      ],
    );
    expect(ranked.map((s) => [s.deploy, s.confidence])).toEqual([
      ["deploy:generic:api", 0.65],
      ["deploy:generic:x", 0.35],
      ["deploy:generic:y", 0.35],
    ]);
    expect(ranked[0]!.reasons[0]).toBe(
      "deployed api to production before the incident, which names it or what it shipped",
    );
  });

  it("keeps the five best", () => {
    const many = Array.from({ length: 8 }, (_, i) => candidate(`deploy:generic:${i}`, { at: t(i) }));
    expect(rankSuspects([], many).map((s) => s.deploy)).toEqual([
      "deploy:generic:7",
      "deploy:generic:6",
      "deploy:generic:5",
      "deploy:generic:4",
      "deploy:generic:3",
    ]);
  });
});

describe("incidentsOf", () => {
  const facts = (incident?: string): Facts => ({
    scopes: [],
    sharedScopes: [],
    entities: [],
    links: [],
    mentions: [],
    linearTeams: [],
    ...(incident
      ? {
          incident: {
            key: incident,
            source: "pagerduty",
            status: "open",
            statusAt: t(0),
            openedAt: t(0),
            acknowledgedAt: null,
            resolvedAt: null,
            title: null,
            service: null,
            environment: null,
            repository: null,
            url: null,
            names: [],
          },
        }
      : {}),
  });
  it("lists the incidents a batch tells of, once each", () => {
    expect(
      incidentsOf([
        { facts: facts("incident:pagerduty:A") },
        { facts: facts() },
        { facts: facts("incident:pagerduty:A") },
      ]),
    ).toEqual(["incident:pagerduty:A"]);
  });
});
