/**
 * applyFacts and the deploy-range recompute on the run's schema, each case in a transaction that
 * rolls back: the expected links come from the rules (docs/correlation.md, contract §5).
 * Deploy ranges and order independence here; direct links, joins and mentions in graph.test.ts.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { BUILTIN_RULES } from "../../../src/correlate/builtin-rules.js";
import { extractFacts } from "../../../src/correlate/extract-facts.js";
import type { StoredEvent } from "../../../src/shared/event.js";
import { openDatabase } from "../../../src/store/prisma.js";
import type { Sql } from "../../../src/store/sql.js";
import { apply, history, hours, type Item, linkLines, linksOf, rolledBack, world, type World } from "../seed.js";
import { outgoing, deployRow } from "./graph-helpers.js";

const db = openDatabase(inject("databaseUrl"), 2);
afterAll(() => db.close());
const tx = <T>(fn: (tx: Sql) => Promise<T>) => rolledBack(db.pool, fn);

describe("deploy ranges (deploy-range, rollback)", () => {
  it("ships the first deploy's own SHA (and its PRs) only, then the commits between, PRs and issues", async () => {
    const w = world();
    const h = history(w);
    const d1 = w.deployEvent("p1", { env: "production", sha: h.A, at: hours(2) });
    const d2 = w.deployEvent("p2", { env: "production", sha: h.C, at: hours(4) });
    const got = await tx(async (t) => {
      await apply(t, [...Object.values(h.items), d1, d2]);
      return {
        d1: await outgoing(t, w.deploy("p1"), "ships"),
        d1Row: await deployRow(t, w.deploy("p1")),
        d2: await outgoing(t, w.deploy("p2"), "ships"),
        d2Row: await deployRow(t, w.deploy("p2")),
        d2Links: (await linksOf(t, w.ns)).filter((l) => l.from === w.deploy("p2") && l.relation === "ships"),
      };
    });
    // Z is before the first deploy: its range is unknown, so it never swallows history.
    expect(got.d1).toEqual({ [w.commit(h.A)]: 1, [w.pr(10)]: 1 });
    expect(got.d1Row).toMatchObject({ previousKey: null, rangeKnown: false });
    expect(got.d2).toEqual({
      [w.commit(h.B)]: 1,
      [w.commit(h.C)]: 1,
      [w.pr(1)]: 1,
      [w.issue(5)]: 0.95,
      [w.linear(1)]: 0.95, // closes (0.95) beats the title's reference (0.8)
      [w.linear(2)]: 0.8, // referenced by commit B
    });
    expect(got.d2Row).toMatchObject({ previousKey: w.deploy("p1"), rangeKnown: true });
    expect(new Set(got.d2Links.map((l) => l.evidence.join()))).toEqual(new Set([d2.eventId]));
  });

  it("makes a redeploy of an earlier SHA roll back the previous deploy; the same SHA again ships nothing", async () => {
    const w = world();
    const h = history(w);
    const d1 = w.deployEvent("p1", { env: "production", sha: h.A, at: hours(2) });
    const d2 = w.deployEvent("p2", { env: "production", sha: h.C, at: hours(4) });
    const d3 = w.deployEvent("p3", { env: "production", sha: h.A, at: hours(5) }); // what p1 ran
    const d4 = w.deployEvent("p4", { env: "production", sha: h.A, at: hours(6) }); // the same SHA again
    const d5 = w.deployEvent("p5", { env: "production", sha: h.C, at: hours(7) }); // what p2 ran: "an earlier SHA" too
    const d6 = w.deployEvent("p6", { env: "production", sha: h.B, at: hours(8) }); // an ancestor never deployed
    const got = await tx(async (t) => {
      await apply(t, [...Object.values(h.items), d1, d2, d3, d4, d5, d6]);
      const all = await linksOf(t, w.ns);
      const of = (id: string) => all.filter((l) => l.from === w.deploy(id) && l.rule !== "deploy-sha");
      return { p3: of("p3"), p4: of("p4"), p5: of("p5"), p6: of("p6") };
    });
    const rollback = (from: Item, to: Item, fromId: string, toId: string) => ({
      from: w.deploy(fromId),
      to: w.deploy(toId),
      relation: "rolls_back",
      rule: "rollback",
      confidence: BUILTIN_RULES.rollback.confidence,
      evidence: [from.eventId, to.eventId].sort(),
    });
    expect(got.p3).toEqual([rollback(d3, d2, "p3", "p2")]);
    expect(got.p4).toEqual([]);
    expect(got.p5).toEqual([rollback(d5, d4, "p5", "p4")]);
    expect(got.p6).toEqual([rollback(d6, d5, "p6", "p5")]);
  });

  it("takes no failed deploy as baseline, and a failed deploy ships nothing", async () => {
    const w = world();
    const h = history(w);
    const d1 = w.deployEvent("p1", { env: "production", sha: h.A, at: hours(2) });
    const failed = w.deployEvent("f1", { env: "production", sha: h.B, at: hours(3.5), status: "failed" });
    const d2 = w.deployEvent("p2", { env: "production", sha: h.C, at: hours(4) });
    const got = await tx(async (t) => {
      await apply(t, [...Object.values(h.items), d1, failed, d2]);
      const all = await linksOf(t, w.ns);
      return {
        failed: all.filter((l) => l.from === w.deploy("f1")).map((l) => l.relation),
        d2: Object.keys(await outgoing(t, w.deploy("p2"), "ships")).sort(),
        d2Row: await deployRow(t, w.deploy("p2")),
      };
    });
    expect(got.failed).toEqual(["deploys"]);
    expect(got.d2).toEqual([w.commit(h.B), w.commit(h.C), w.pr(1), w.issue(5), w.linear(1), w.linear(2)].sort());
    expect(got.d2Row).toMatchObject({ previousKey: w.deploy("p1"), rangeKnown: true });
  });

  it("ships only the deployed SHA while its ancestry is unknown, and the range once a push reveals it", async () => {
    const w = world();
    const [A, B, C] = ["A", "B", "C"].map(w.sha) as [string, string, string];
    const d1 = w.deployEvent("p1", { env: "production", sha: A, at: hours(1) });
    const d2 = w.deployEvent("p2", { env: "production", sha: C, at: hours(2) });
    const push = w.push("main", [{ sha: A }, { sha: B, parents: [A] }, { sha: C, parents: [B] }], hours(3));
    const got = await tx(async (t) => {
      await apply(t, [d1, d2]);
      const before = await outgoing(t, w.deploy("p2"), "ships");
      await apply(t, [push]);
      return { before, after: await outgoing(t, w.deploy("p2"), "ships") };
    });
    expect(got.before).toEqual({ [w.commit(C)]: 1 });
    expect(got.after).toEqual({ [w.commit(B)]: 1, [w.commit(C)]: 1 });
  });

  it("keeps separate ranges per environment and per service of one repository (service defaults to it)", async () => {
    const w = world();
    const [A, B, C] = ["A", "B", "C"].map(w.sha) as [string, string, string];
    const push = w.push("main", [{ sha: A }, { sha: B, parents: [A] }, { sha: C, parents: [B] }], hours(0));
    // Through extractFacts: the generic body's service, else the repository.
    const generic = (id: string, environment: string, sha: string, h: number, service: string | null): Item => {
      const e: StoredEvent = {
        id: randomUUID(),
        platform: "deploy",
        type: "deploy.succeeded",
        occurredAt: hours(h),
        actor: null,
        subject: null,
        keys: [],
        payload: {},
        rows: {
          deployment: {
            source: "generic",
            deployId: `${w.ns}-${id}`,
            repository: w.repo,
            environment,
            status: "succeeded",
            sha,
            ref: null,
            url: null,
            service,
            startedAt: hours(h - 0.1),
            finishedAt: hours(h),
          },
        },
      };
      const event = { platform: e.platform, type: e.type, subject: e.subject };
      return { eventId: e.id, at: e.occurredAt, facts: extractFacts(e, () => undefined), event };
    };
    const items = [
      push,
      generic("api1", "production", A, 1, "api"),
      generic("web1", "production", A, 2, null),
      generic("stg1", "staging", C, 2.5, "api"),
      generic("api2", "production", C, 3, "api"),
      generic("web2", "production", B, 4, null), // after api2 (C): a rollback if services shared a range
    ];
    expect(items[2]!.facts.deploy!.service).toBe(w.repo);
    const got = await tx(async (t) => {
      await apply(t, items);
      const all = await linksOf(t, w.ns);
      const of = async (id: string) => ({
        row: await deployRow(t, w.deploy(id)),
        ships: Object.keys(await outgoing(t, w.deploy(id), "ships")).sort(),
        rollsBack: all.filter((l) => l.from === w.deploy(id) && l.relation === "rolls_back").map((l) => l.to),
      });
      return { api2: await of("api2"), web2: await of("web2"), stg1: await of("stg1") };
    });
    expect(got.api2).toEqual({
      row: { previousKey: w.deploy("api1"), rangeKnown: true, service: "api" },
      ships: [w.commit(B), w.commit(C)].sort(),
      rollsBack: [],
    });
    expect(got.web2).toEqual({
      row: { previousKey: w.deploy("web1"), rangeKnown: true, service: w.repo },
      ships: [w.commit(B)],
      rollsBack: [],
    });
    expect(got.stg1).toEqual({
      row: { previousKey: null, rangeKnown: false, service: "api" },
      ships: [w.commit(C)],
      rollsBack: [],
    });
  });
});

/** A seeded shuffle (mulberry32), so a failing order can be replayed. */
function shuffled<T>(list: T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function outcome(w: World, items: Item[], oneBatch = false) {
  return tx(async (t) => {
    await apply(t, items, oneBatch);
    const deploys = await t.query<unknown[]>`
      SELECT key, status, previous_key, range_known FROM deploys WHERE repository = ${w.repo} ORDER BY key`;
    return { links: linkLines(await linksOf(t, w.ns)), deploys };
  });
}

describe("order independence (contract §5)", () => {
  it("gives the same links, evidence included, whatever the order the deliveries arrive in", async () => {
    const w = world();
    const h = history(w);
    const R = w.sha("R");
    const items: Item[] = [
      ...Object.values(h.items),
      w.attachment(1, randomUUID(), hours(3.2)),
      w.push(
        "feature",
        [
          { sha: w.sha("F0"), parents: [h.A] },
          { sha: h.F, parents: [w.sha("F0")] },
        ],
        hours(2.5),
      ),
      w.pullRequest(2, {
        at: hours(5),
        title: 'Revert "' + `${w.team}-1 retry checkout` + '"',
        headRef: "revert-1-feature",
        mergeSha: R,
      }),
      w.push("main", [{ sha: R, parents: [h.C] }], hours(5)),
      w.deployEvent("p1", { env: "production", sha: h.A, at: hours(2) }),
      w.deployEvent("p2", { env: "production", sha: h.C, at: hours(3.9), status: "started", url: true }),
      w.deployEvent("p2", { env: "production", sha: h.C, at: hours(4), url: true }),
      w.deployEvent("p3", { env: "production", sha: h.A, at: hours(4.5) }),
      w.deployEvent("p4", { env: "production", sha: R, at: hours(6) }),
      w.deployEvent("s1", { env: "staging", sha: h.C, at: hours(4.2) }),
      w.slack("9.9", hours(4.3), [
        { kind: "url", target: w.deployUrl("p2"), rule: "slack-deploy-url" },
        { kind: "linear_identifier", target: `${w.team}-2`, rule: "slack-identifier" },
      ]),
    ];
    const reference = await outcome(w, items);
    // Not vacuous: the story makes ranges, a rollback, a revert and resolved mentions.
    const relations = new Set(reference.links.map((l) => l.split(" ")[1]!.split("/")[0]));
    expect([...relations].sort()).toEqual(
      ["-contains", "-closes", "-deploys", "-discusses", "-references", "-reverts", "-rolls_back", "-ships"].sort(),
    );
    const orders = [[...items].reverse(), ...[1, 2, 3, 4].map((seed) => shuffled(items, seed))];
    for (const order of orders) expect(await outcome(w, order)).toEqual(reference);
    expect(await outcome(w, shuffled(items, 5), true)).toEqual(reference);
  });

  it("gives the same evidence when a PR has two events (opened, merged), its joins in any order", async () => {
    const w = world();
    const [c1, m, orig] = [w.sha("c1"), w.sha("m"), w.sha("orig")];
    const original = w.pullRequest(1, { at: hours(0), title: "Add retries", headRef: "retries", mergeSha: orig });
    const push = w.push("revert-1-retries", [{ sha: c1 }], hours(1));
    const opened = w.pullRequest(2, {
      at: hours(2),
      title: 'Revert "Add retries"',
      headRef: "revert-1-retries",
      headSha: c1,
    });
    const merged = w.pullRequest(2, {
      at: hours(3),
      title: 'Revert "Add retries"',
      headRef: "revert-1-retries",
      headSha: c1,
      mergeSha: m,
    });
    const items = [original, push, opened, merged];
    const reference = await outcome(w, items);
    expect(reference.links.some((l) => l.includes("/pr-branch-push@"))).toBe(true);
    expect(reference.links.some((l) => l.includes("/revert-title@"))).toBe(true);
    for (const order of [
      [opened, merged, push, original],
      [merged, opened, original, push],
      [push, merged, original, opened],
    ]) {
      expect((await outcome(w, order)).links).toEqual(reference.links);
    }
  });

  it("gives the same evidence when a commit reaches a PR's branch in two pushes, before or after it", async () => {
    const w = world();
    const c1 = w.sha("c1");
    const first = w.push("feature", [{ sha: c1 }], hours(1));
    const forced = w.push("feature", [{ sha: c1 }], hours(2)); // a forced push listing it again
    const pr = w.pullRequest(1, { at: hours(3), headRef: "feature" });
    const reference = (await outcome(w, [pr, first, forced])).links;
    expect(reference).toHaveLength(1);
    expect((await outcome(w, [first, forced, pr])).links).toEqual(reference);
  });
});
