import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { computeDora } from "../../../src/store/read/dora.js";
import { inTransaction } from "../../../src/store/sql.js";
import { useIsolatedDatabase } from "../../helpers/service.js";

/**
 * computeDora on seeded rows (deploys, ships/rolls_back/reverts/contains links, commits, PRs),
 * committed in a schema of the file's own: it reads on the pg pool. Expected figures follow
 * docs/dora.md and contract §6, worked out below.
 */

const REPO = "acme/dora";
const PRODUCTION = ["prod*", "production*", "live"];
const SINCE = new Date("2026-01-05T00:00:00Z"); // a Monday
const UNTIL = new Date("2026-01-19T00:00:00Z"); // 14 days
const H = 3600;
const t = (iso: string) => new Date(`2026-01-${iso}Z`);
const commit = (sha: string) => `github:commit:${REPO}@${sha}`;
const pr = (n: number) => `github:pr:${REPO}#${n}`;
const dep = (id: string) => `deploy:generic:${id}`;

const DEPLOYS: Array<[id: string, environment: string, status: string, finishedAt: string, repository?: string]> = [
  ["old", "production-us", "succeeded", "04T12:00:00"], // before the window
  ["p1", "production-us", "succeeded", "05T10:00:00"], // ships PR 1, reverted by PR 9 (shipped by p3)
  ["p2", "production-us", "failed", "06T10:00:00"], // restored by p3
  ["s1", "staging", "succeeded", "06T11:00:00"], // ships PR 9 too: another environment restores nothing
  ["p3", "production-us", "succeeded", "06T12:00:00"], // ships commit c3 (no PR) and PR 9
  ["x0", "production-us", "cancelled", "07T09:00:00"], // not an attempt that finished
  ["o1", "production", "succeeded", "07T10:00:00", "acme/other"], // another repository
  ["s2", "staging", "failed", "08T10:00:00"], // never restored
  ["x1", "preview-prod", "succeeded", "09T10:00:00"], // not production: prod* anchors at the start
  ["x2", "livestream", "succeeded", "10T10:00:00"], // not production: live is the whole name
  ["e1", "prod-eu", "succeeded", "12T09:00:00"], // ships PR 2, rolled back by e2
  ["e2", "prod-eu", "succeeded", "13T09:00:00"],
  ["l1", "Live", "succeeded", "14T09:00:00"], // ships a commit authored after it: lead time dropped
  ["f1", "production-us", "failed", "18T20:00:00"], // restored by n1, after the window
  ["n1", "production-us", "succeeded", "20T00:00:00"], // after the window
];

const LINKS: Array<[from: string, to: string, relation: string]> = [
  [dep("p1"), pr(1), "ships"],
  [dep("p1"), commit("c1"), "ships"],
  [pr(1), commit("c1"), "contains"],
  [dep("p3"), commit("c3"), "ships"],
  [dep("p3"), pr(9), "ships"],
  [pr(9), pr(1), "reverts"],
  [dep("s1"), pr(9), "ships"],
  [dep("e1"), pr(2), "ships"],
  [dep("e1"), commit("c2"), "ships"],
  [pr(2), commit("c2"), "contains"],
  [dep("e2"), dep("e1"), "rolls_back"],
  [dep("l1"), commit("c5"), "ships"],
];

const COMMITS: Array<[sha: string, authoredAt: string]> = [
  ["c1", "03T10:00:00"],
  ["c2", "12T10:00:00"],
  ["c3", "06T06:00:00"],
  ["c5", "15T09:00:00"],
];
const PRS: Array<[n: number, createdAt: string]> = [
  [1, "04T10:00:00"],
  [2, "11T09:00:00"],
  [9, "06T08:00:00"],
];

const store = useIsolatedDatabase();

beforeAll(async () => {
  const e = randomUUID();
  await inTransaction(store.db.pool, async (sql) => {
    for (const [id, environment, status, finished, repository = REPO] of DEPLOYS) {
      await sql.execute`
        INSERT INTO deploys (key, repository, service, environment, sha, status, finished_at, at, status_at, event_ids)
        VALUES (${dep(id)}, ${repository}, ${repository}, ${environment}, ${id.padEnd(40, "0")}, ${status},
                ${t(finished)}, ${t(finished)}, ${t(finished)}, ARRAY[${e}]::uuid[])`;
    }
    for (const [from, to, relation] of LINKS) {
      await sql.execute`INSERT INTO links (from_key, to_key, relation, rule, confidence, evidence)
        VALUES (${from}, ${to}, ${relation}, 'seeded', 1, ARRAY[${e}]::uuid[])`;
    }
    for (const [sha, authored] of COMMITS) {
      await sql.execute`INSERT INTO commits (repository, sha, parents, authored_at, event_id)
        VALUES (${REPO}, ${sha}, '{}', ${t(authored)}, ${e}::uuid)`;
    }
    for (const [n, created] of PRS) {
      await sql.execute`INSERT INTO pull_requests (key, repository, number, title, created_at, updated_at, event_id)
        VALUES (${pr(n)}, ${REPO}, ${n}, ${`PR ${n}`}, ${t(created)}, ${t(created)}, ${e}::uuid)`;
    }
  });
});

const dora = (o: { environment?: string; bucket?: "day" | "week" | "month" } = {}) =>
  computeDora(store.db.pool, { repository: REPO, production: PRODUCTION, since: SINCE, until: UNTIL, ...o });

describe("computeDora", () => {
  it("counts the production environments only by default", async () => {
    const r = await dora();
    expect(r.environment).toBeNull();
    expect(r.productionEnvironments).toEqual(PRODUCTION);
    expect(r.environments).toEqual(["Live", "prod-eu", "production-us"]);
    expect(r.deploys.map((d) => [d.key, d.failure])).toEqual([
      [dep("p1"), true],
      [dep("p2"), true],
      [dep("p3"), false],
      [dep("e1"), true],
      [dep("e2"), false],
      [dep("l1"), false],
      [dep("f1"), true],
    ]);
    expect(r.deploymentFrequency).toEqual({ deploys: 5, perDay: 5 / 14 });
    // PR 1: 48 h from its commit c1 (c1 itself is in the PR); p3: c3 6 h, PR 9 4 h; e1: PR 2 24 h
    // from its creation (earlier than its commit); l1's commit is later than the deploy: dropped.
    expect(r.leadTimeForChanges).toEqual({ changes: 4, medianSeconds: 15 * H, p90Seconds: 40.8 * H });
    expect(r.changeFailureRate).toEqual({ deployments: 7, failures: 4, rate: 4 / 7 });
    // p2 → p3 2 h, e1 → e2 24 h, p1 → p3 (the revert) 26 h, f1 → n1 28 h.
    expect(r.timeToRestore).toEqual({ restored: 4, medianSeconds: 25 * H });
    expect(r).not.toHaveProperty("series");
  });

  it("narrows to one environment with environment=, production or not", async () => {
    const us = await dora({ environment: "production-us" });
    expect(us.environments).toEqual(["production-us"]);
    expect(us.productionEnvironments).toBeNull();
    expect(us.deploys.map((d) => d.key)).toEqual([dep("p1"), dep("p2"), dep("p3"), dep("f1")]);
    expect(us.deploymentFrequency.deploys).toBe(2);
    expect(us.leadTimeForChanges).toEqual({ changes: 3, medianSeconds: 6 * H, p90Seconds: 39.6 * H });
    expect(us.changeFailureRate).toEqual({ deployments: 4, failures: 3, rate: 0.75 });
    expect(us.timeToRestore).toEqual({ restored: 3, medianSeconds: 26 * H });

    const staging = await dora({ environment: "staging" });
    expect(staging.environments).toEqual(["staging"]);
    expect(staging.deploymentFrequency.deploys).toBe(1);
    expect(staging.leadTimeForChanges).toEqual({ changes: 1, medianSeconds: 3 * H, p90Seconds: 3 * H });
    expect(staging.changeFailureRate).toEqual({ deployments: 2, failures: 1, rate: 0.5 });
    expect(staging.timeToRestore).toEqual({ restored: 0, medianSeconds: null });

    const none = await dora({ environment: "production" }); // another repository's environment
    expect(none.deploys).toEqual([]);
    expect(none.changeFailureRate.rate).toBeNull();
  });

  it("splits the window into buckets whose counts sum back to the totals", async () => {
    for (const bucket of ["day", "week", "month"] as const) {
      const r = await dora({ bucket });
      const series = r.series!;
      const sum = (f: (s: (typeof series)[number]) => number) => series.reduce((n, s) => n + f(s), 0);
      expect(sum((s) => s.deploymentFrequency.deploys)).toBe(r.deploymentFrequency.deploys);
      expect(sum((s) => s.changeFailureRate.deployments)).toBe(r.changeFailureRate.deployments);
      expect(sum((s) => s.changeFailureRate.failures)).toBe(r.changeFailureRate.failures);
      expect(sum((s) => s.leadTimeForChanges.changes)).toBe(r.leadTimeForChanges.changes);
      expect(sum((s) => s.timeToRestore.restored)).toBe(r.timeToRestore.restored);
      expect(series[0]!.start).toEqual(SINCE);
      expect(series.at(-1)!.end).toEqual(UNTIL);
      expect(series.length).toBe({ day: 14, week: 2, month: 1 }[bucket]);
    }
    const weeks = (await dora({ bucket: "week" })).series!;
    expect(weeks.map((w) => [w.start, w.end])).toEqual([
      [SINCE, t("12T00:00:00")],
      [t("12T00:00:00"), UNTIL],
    ]);
    expect(
      weeks.map((w) => [w.deploymentFrequency.deploys, w.changeFailureRate.failures, w.leadTimeForChanges.changes]),
    ).toEqual([
      [2, 2, 3],
      [3, 2, 1],
    ]);
  });
});
