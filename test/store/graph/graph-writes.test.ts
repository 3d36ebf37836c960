import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { EntityFact, LinkFact } from "../../../src/correlate/facts.js";
import { upsertEntities } from "../../../src/store/graph/entities.js";
import { replaceLinks, upsertLinks } from "../../../src/store/graph/links.js";
import { openDatabase } from "../../../src/store/prisma.js";
import type { Sql } from "../../../src/store/sql.js";
import { hours, linksOf, rolledBack, world } from "../seed.js";

/** The graph's row writers on their own: link upserts and replacement, entity registers. */

const db = openDatabase(inject("databaseUrl"), 2);
afterAll(() => db.close());
const tx = <T>(fn: (tx: Sql) => Promise<T>) => rolledBack(db.pool, fn);

/** Event ids in ascending order, so expected evidence reads sorted. */
const ids = (n: number) => Array.from({ length: n }, () => randomUUID()).sort();

describe("upsertLinks", () => {
  it("keeps one row for the same evidence twice, and reports the link as new only the first time", async () => {
    const w = world();
    const [e1] = ids(1);
    const link: LinkFact = {
      from: w.pr(1),
      to: w.commit(w.sha("a")),
      relation: "contains",
      rule: "pr-head-commit",
      confidence: 1,
    };
    const got = await tx(async (t) => {
      const first = await upsertLinks(t, [{ link, evidence: [e1!] }]);
      const second = await upsertLinks(t, [{ link, evidence: [e1!] }]);
      return { first, second, rows: await linksOf(t, w.ns) };
    });
    expect(got.first).toEqual([expect.objectContaining(link)]);
    expect(got.second).toEqual([]);
    expect(got.rows).toEqual([{ ...link, evidence: [e1] }]);
  });

  it("merges evidence (sorted, once each) and keeps the highest confidence, across calls and batches", async () => {
    const w = world();
    const [e1, e2, e3, e4] = ids(4) as [string, string, string, string];
    const base = { from: w.pr(1), to: w.linear(1), relation: "references", rule: "linear-id-in-title" };
    const got = await tx(async (t) => {
      await upsertLinks(t, [{ link: { ...base, confidence: 0.5 }, evidence: [e3] }]);
      const raised = await upsertLinks(t, [{ link: { ...base, confidence: 0.9 }, evidence: [e1] }]);
      // One batch naming the link twice: merged before the statement (a row is updated once).
      await upsertLinks(t, [
        { link: { ...base, confidence: 0.7 }, evidence: [e4, e1] },
        { link: { ...base, confidence: 0.6 }, evidence: [e2] },
      ]);
      return { raised, rows: await linksOf(t, w.ns) };
    });
    expect(got.raised).toEqual([]); // more evidence for a known link is not a new link
    expect(got.rows).toEqual([{ ...base, confidence: 0.9, evidence: [e1, e2, e3, e4] }]);
  });

  it("keeps links of the same endpoints and relation but another rule apart", async () => {
    const w = world();
    const [e1] = ids(1) as [string];
    const base = { from: w.pr(1), to: w.commit(w.sha("a")), relation: "contains" };
    const rows = await tx(async (t) => {
      const created = await upsertLinks(t, [
        { link: { ...base, rule: "pr-head-commit", confidence: 1 }, evidence: [e1] },
        { link: { ...base, rule: "pr-branch-push", confidence: 0.9 }, evidence: [e1] },
      ]);
      expect(created).toHaveLength(2);
      return linksOf(t, w.ns);
    });
    expect(rows.map((r) => r.rule).sort()).toEqual(["pr-branch-push", "pr-head-commit"]);
  });
});

describe("replaceLinks", () => {
  it("replaces exactly the links of one source made by the given rules; others stay", async () => {
    const w = world();
    const [e1, e2, e9] = ids(3) as [string, string, string];
    const d = w.deploy("d"),
      other = w.deploy("other");
    const ships = (from: string, to: string, confidence = 1) => ({
      from,
      to,
      relation: "ships",
      rule: "deploy-range",
      confidence,
    });
    const got = await tx(async (t) => {
      await upsertLinks(t, [
        { link: ships(d, w.commit(w.sha("x"))), evidence: [e1] },
        { link: ships(d, w.commit(w.sha("y"))), evidence: [e1] },
        {
          link: { from: d, to: w.deploy("p"), relation: "rolls_back", rule: "rollback", confidence: 0.9 },
          evidence: [e1],
        },
        {
          link: { from: d, to: w.commit(w.sha("z")), relation: "deploys", rule: "deploy-sha", confidence: 1 },
          evidence: [e1],
        },
        { link: ships(other, w.commit(w.sha("x"))), evidence: [e2] },
      ]);
      const replaced = await replaceLinks(
        t,
        ["deploy-range", "rollback"],
        [
          {
            from: d,
            links: [
              { ...ships(d, w.commit(w.sha("x")), 0.5), evidence: [e9] }, // kept, its evidence and confidence replaced
              { ...ships(d, w.commit(w.sha("w"))), evidence: [e9] }, // new
            ],
          },
        ],
      );
      // Per source: what it gained (the new ship) and what it lost (the ship of y and the rollback).
      expect(replaced.get(d)?.created.map((l) => l.to)).toEqual([w.commit(w.sha("w"))]);
      expect(replaced.get(d)?.removed).toBe(2);
      const afterReplace = await linksOf(t, w.ns);
      await replaceLinks(t, ["deploy-range", "rollback"], [{ from: d, links: [] }]);
      return { afterReplace, afterEmpty: await linksOf(t, w.ns) };
    });
    const line = (l: { from: string; to: string; rule: string; confidence: number; evidence: string[] }) =>
      `${l.from} ${l.rule} ${l.to} ${l.confidence} ${l.evidence.join(",")}`;
    expect(got.afterReplace.map(line).sort()).toEqual(
      [
        `${d} deploy-range ${w.commit(w.sha("x"))} 0.5 ${e9}`,
        `${d} deploy-range ${w.commit(w.sha("w"))} 1 ${e9}`,
        `${d} deploy-sha ${w.commit(w.sha("z"))} 1 ${e1}`,
        `${other} deploy-range ${w.commit(w.sha("x"))} 1 ${e2}`,
      ].sort(),
    );
    expect(got.afterEmpty.map(line).sort()).toEqual(
      [
        `${d} deploy-sha ${w.commit(w.sha("z"))} 1 ${e1}`,
        `${other} deploy-range ${w.commit(w.sha("x"))} 1 ${e2}`,
      ].sort(),
    );
  });
});

/** All orders of a list (small lists only). */
const permutations = <T>(list: T[]): T[][] =>
  list.length <= 1
    ? [list]
    : list.flatMap((x, i) => permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((p) => [x, ...p]));

async function entity(t: Sql, key: string) {
  const [row] = await t.query<Array<Record<string, unknown>>>`
    SELECT kind, title, title_at AS "titleAt", state, state_at AS "stateAt", url, url_at AS "urlAt",
           first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"
    FROM entities WHERE key = ${key}`;
  return row;
}

describe("upsertEntities", () => {
  it("keeps each field's latest value, whatever the order of the events and their batches", async () => {
    const w = world();
    // Each event carries some fields only; a field it lacks never erases the stored one.
    const events = (key: string): Array<{ entities: EntityFact[]; at: Date }> => [
      { at: hours(1), entities: [{ key, kind: "github.pr", title: "Old", state: "open", url: "https://x/1" }] },
      { at: hours(2), entities: [{ key, kind: "github.pr", title: "New" }] },
      { at: hours(3), entities: [{ key, kind: "github.pr", state: "merged", title: null }] },
      { at: hours(0), entities: [{ key, kind: "github.pr", title: "Ancient", url: "https://x/0" }] },
    ];
    const expected = {
      kind: "github.pr",
      title: "New",
      titleAt: hours(2),
      state: "merged",
      stateAt: hours(3),
      url: "https://x/1",
      urlAt: hours(1),
      firstSeenAt: hours(0),
      lastSeenAt: hours(3),
    };
    const orders = permutations([0, 1, 2, 3]);
    const got = await tx(async (t) => {
      const rows = [];
      for (const [i, order] of orders.entries()) {
        const key = `${w.pr(1)}-order-${i}`;
        for (const n of order) await upsertEntities(t, [events(key)[n]!]);
        rows.push(await entity(t, key));
      }
      const batched = `${w.pr(1)}-batched`;
      await upsertEntities(t, events(batched).slice(0, 2));
      await upsertEntities(t, events(batched).slice(2));
      const whole = `${w.pr(1)}-whole`;
      await upsertEntities(t, events(whole));
      return { rows, batched: await entity(t, batched), whole: await entity(t, whole) };
    });
    expect(got.rows).toHaveLength(24);
    for (const row of got.rows) expect(row).toEqual(expected);
    expect(got.batched).toEqual(expected);
    expect(got.whole).toEqual(expected);
  });

  it("breaks a tie at the same instant by the greater value as UTF-8 bytes, in any order", async () => {
    const w = world();
    // Bytes, not a locale: "a" (0x61) beats "B" (0x42); "é" (0xC3…) beats "z" (0x7A).
    const pairs: Array<[string, string, string]> = [
      ["B", "a", "a"],
      ["z", "é", "é"],
      ["a", "ab", "ab"],
    ];
    const got = await tx(async (t) => {
      const out: string[] = [];
      for (const [i, [x, y]] of pairs.entries()) {
        for (const [j, order] of [
          [x, y],
          [y, x],
        ].entries()) {
          const key = `${w.pr(i)}-${j}`;
          for (const title of order)
            await upsertEntities(t, [{ at: hours(1), entities: [{ key, kind: "github.pr", title }] }]);
          out.push((await entity(t, key))!.title as string);
        }
        const key = `${w.pr(i)}-batch`;
        await upsertEntities(
          t,
          [x, y].map((title) => ({ at: hours(1), entities: [{ key, kind: "github.pr", title }] })),
        );
        out.push((await entity(t, key))!.title as string);
      }
      return out;
    });
    expect(got).toEqual(pairs.flatMap(([, , winner]) => [winner, winner, winner]));
  });
});
