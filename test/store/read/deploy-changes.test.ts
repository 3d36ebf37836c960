import { beforeAll, describe, expect, it } from "vitest";
import { deployChanges } from "../../../src/store/read/deploy-changes.js";
import { inTransaction } from "../../../src/store/sql.js";
import { useIsolatedDatabase } from "../../helpers/service.js";
import { apply, history, hours, world } from "../seed.js";

/**
 * deployChanges (GET /api/deploys/:key/changes) on a graph built by applyFacts and committed in a
 * schema of the file's own.
 */

const w = world();
const h = history(w);
const items = [
  ...Object.values(h.items),
  w.issueEvent(5, hours(0), "Checkout breaks on slow networks"),
  w.deployEvent("p1", { env: "production", sha: h.A, at: hours(2) }),
  w.deployEvent("p2", { env: "production", sha: h.C, at: hours(4) }),
  w.deployEvent("p3", { env: "production", sha: h.A, at: hours(5) }),
];

const store = useIsolatedDatabase();

beforeAll(async () => {
  await inTransaction(store.db.pool, (tx) => apply(tx, items));
});

describe("deployChanges", () => {
  it("lists the commits, PRs and issues a deploy shipped, and the deploy before it", async () => {
    const r = (await deployChanges(store.db.pool, w.deploy("p2")))!;
    expect(r.deploy).toMatchObject({
      key: w.deploy("p2"),
      repository: w.repo,
      environment: "production",
      sha: h.C,
      status: "succeeded",
      previousKey: w.deploy("p1"),
      rangeKnown: true,
      finishedAt: hours(4),
    });
    expect(r.previous).toMatchObject({ key: w.deploy("p1"), sha: h.A, rangeKnown: false, previousKey: null });
    expect(r.rangeKnown).toBe(true);
    expect(r.rollsBack).toBeNull();
    expect(r.commits).toEqual(
      [
        { key: w.commit(h.B), sha: h.B, message: `Refs ${w.team}-2`, authoredAt: hours(3) },
        { key: w.commit(h.C), sha: h.C, message: `${w.team}-1 retry checkout (#1)`, authoredAt: hours(3) },
      ].sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
    expect(r.pullRequests).toEqual([
      { key: w.pr(1), number: 1, title: `${w.team}-1 retry checkout`, mergedAt: hours(3), mergeCommitSha: h.C },
    ]);
    expect(r.issues).toEqual([
      { key: w.issue(5), title: "Checkout breaks on slow networks", state: "open", confidence: 0.95 },
      { key: w.linear(1), title: "Issue 1", state: "Todo", confidence: 0.95 },
      { key: w.linear(2), title: null, state: null, confidence: 0.8 }, // linked, never seen in a Linear event
    ]);
  });

  it("says a first deploy's range is unknown: only its own SHA and the PR containing it", async () => {
    const r = (await deployChanges(store.db.pool, w.deploy("p1")))!;
    expect(r.rangeKnown).toBe(false);
    expect(r.previous).toBeNull();
    expect(r.commits.map((c) => c.sha)).toEqual([h.A]);
    expect(r.commits[0]!.message).toBe("Early change (#10)");
    expect(r.pullRequests.map((p) => p.key)).toEqual([w.pr(10)]);
    expect(r.issues).toEqual([]);
  });

  it("reports a rollback and ships nothing for it; an unknown key is null", async () => {
    const r = (await deployChanges(store.db.pool, w.deploy("p3")))!;
    expect(r.rollsBack).toBe(w.deploy("p2"));
    expect(r.previous?.key).toBe(w.deploy("p2"));
    expect(r.rangeKnown).toBe(true);
    expect([r.commits, r.pullRequests, r.issues]).toEqual([[], [], []]);
    expect(await deployChanges(store.db.pool, w.deploy("nope"))).toBeNull();
  });
});
