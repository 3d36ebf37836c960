import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { LinkFact } from "../../../src/correlate/facts.js";
import { type MilestoneDraft, type Refs } from "../../../src/correlate/milestones.js";
import { scope } from "../../../src/shared/keys.js";
import { recomputeDeploys } from "../../../src/store/graph/deploy-range.js";
import { upsertLinks } from "../../../src/store/graph/links.js";
import { lockScopes } from "../../../src/store/graph/locks.js";
import { openDatabase } from "../../../src/store/prisma.js";
import { inTransaction, jsonParam, type Sql } from "../../../src/store/sql.js";
import { int, pick, prng, type Rand } from "../../../kit/prng.js";
import { apply, hours, linksOf, rolledBack, world, type World } from "../seed.js";
import { oracleRecomputeDeploys, RANGE_RULES } from "./deploy-range-oracle.js";

/**
 * A batch's deploys recomputed together (recomputeDeploys) give the graph and the milestones the
 * per-deploy recompute gave, one deploy after another in key order: checked against that older
 * implementation, kept as an oracle in deploy-range-oracle.ts, on hand-built and seeded random graphs.
 */

const db = openDatabase(inject("databaseUrl"), 3);
afterAll(() => db.close());
const tx = <T>(fn: (tx: Sql) => Promise<T>) => rolledBack(db.pool, fn);

const refs = {
  entity: (key: string) => ({ key }),
  deploy: (key: string) => ({ key }),
} as unknown as Refs;

/** Drafts as data, in their order. */
const drafts = (ms: MilestoneDraft[]) =>
  ms.map((m) => ({
    type: m.type,
    factKey: m.factKey,
    subject: m.subject,
    repository: m.repository,
    environment: m.environment,
    entities: m.entities,
    deploys: m.deploys,
    data: m.data(refs),
  }));

/** The deploys' ranges as stored. */
const rangesOf = (t: Sql, namespaces: string[]) =>
  t.query<Array<{ key: string; previousKey: string | null; rangeKnown: boolean; rangeFrontier: string[] }>>`
    SELECT key, previous_key AS "previousKey", range_known AS "rangeKnown", range_frontier AS "rangeFrontier"
    FROM deploys WHERE repository = ANY(${namespaces.map((ns) => `acme/${ns}`)}::text[]) ORDER BY key COLLATE "C"`;

/** What one recompute leaves: its milestones, the links and the deploys' ranges. */
async function outcome(t: Sql, worlds: World[], run: () => Promise<MilestoneDraft[]>) {
  const milestones = drafts(await run());
  const links = (await Promise.all(worlds.map((w) => linksOf(t, w.ns)))).flat();
  return {
    milestones,
    links,
    ranges: await rangesOf(
      t,
      worlds.map((w) => w.ns),
    ),
  };
}

/** The batch recompute and the oracle from the same state (a savepoint between them): equal outcomes. */
async function compareWithOracle(t: Sql, worlds: World[], keys: string[]) {
  await t.execute`SAVEPOINT oracle`;
  const expected = await outcome(t, worlds, () => oracleRecomputeDeploys(t, keys));
  await t.execute`ROLLBACK TO SAVEPOINT oracle`;
  const got = await outcome(t, worlds, () => recomputeDeploys(t, keys));
  expect(got).toEqual(expected);
  return got;
}

const shuffle = <T>(r: Rand, xs: T[]): T[] => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe("recomputeDeploys against the per-deploy recompute", () => {
  it(
    "two repositories, two environments: " + "ranges, a rollback, a first deploy, a deploy of an unknown commit",
    async () => {
      const a = world();
      const b = world();
      // a, main: Z ← A ← B ← C ← D; PR #1 contains B and closes issue #5; C references <team>-7.
      const [Z, A, B, C, D] = ["Z", "A", "B", "C", "D"].map(a.sha) as [string, string, string, string, string];
      // b: P ← Q, and R pushed with no known parent (the walk stops there: a frontier).
      const [P, Q, R, U] = ["P", "Q", "R", "unknown"].map(b.sha) as [string, string, string, string];
      const items = [
        a.push(
          "main",
          [
            { sha: Z },
            { sha: A, parents: [Z] },
            { sha: B, parents: [A] },
            { sha: C, parents: [B] },
            { sha: D, parents: [C] },
          ],
          hours(1),
        ),
        a.pullRequest(1, { at: hours(1), headRef: "f", mergeSha: B, closes: [5] }),
        a.deployEvent("prod-1", { env: "production", sha: A, at: hours(2) }), // first: no baseline
        a.deployEvent("prod-2", { env: "production", sha: C, at: hours(3) }), // ships B, C, PR #1, issue #5
        a.deployEvent("prod-3", { env: "production", sha: B, at: hours(4) }), // rollback of prod-2
        a.deployEvent("prod-4", { env: "production", sha: D, at: hours(5), status: "failed" }),
        a.deployEvent("stg-1", { env: "staging", sha: D, at: hours(2) }),
        a.deployEvent("stg-2", { env: "staging", sha: D, at: hours(3) }), // same SHA again
        b.push("main", [{ sha: P }, { sha: Q, parents: [P] }, { sha: R }], hours(1)),
        b.deployEvent("prod-1", { env: "production", sha: P, at: hours(2) }),
        b.deployEvent("prod-2", { env: "production", sha: U, at: hours(3) }), // commit never pushed
        b.deployEvent("prod-3", { env: "production", sha: R, at: hours(4) }),
      ];
      const keys = [
        ...["prod-1", "prod-2", "prod-3", "prod-4", "stg-1", "stg-2"].map(a.deploy),
        ...["prod-1", "prod-2", "prod-3"].map(b.deploy),
      ];
      const r = prng(14);
      for (let round = 0; round < 4; round++) {
        const got = await tx(async (t) => {
          await apply(t, shuffle(r, items), round % 2 === 1);
          // C references a Linear issue; then every derived link and range is forgotten, so the
          // recompute below makes them all again (every deploy changes: every milestone told).
          await upsertLinks(t, [
            {
              link: {
                from: a.commit(C),
                to: a.linear(7),
                relation: "references",
                rule: "linear-magic-word",
                confidence: 0.8,
              },
              evidence: [randomUUID()],
            },
          ]);
          await t.execute`DELETE FROM links
          WHERE from_key = ANY(${keys}::text[]) AND rule = ANY(${RANGE_RULES}::text[])`;
          await t.execute`UPDATE deploys SET previous_key = NULL, range_known = false, range_frontier = '{}'
          WHERE key = ANY(${keys}::text[])`;
          return compareWithOracle(t, [a, b], shuffle(r, [...keys, a.deploy("missing")]));
        });
        const ships = (from: string) =>
          got.links.filter((l) => l.from === from && l.relation === "ships").map((l) => `${l.to}@${l.confidence}`);
        const range = (key: string) => got.ranges.find((x) => x.key === key);
        expect(ships(a.deploy("prod-1"))).toEqual([`${a.commit(A)}@1`]);
        expect(range(a.deploy("prod-1"))).toMatchObject({ previousKey: null, rangeKnown: false });
        expect(ships(a.deploy("prod-2")).sort()).toEqual(
          [`${a.commit(B)}@1`, `${a.commit(C)}@1`, `${a.pr(1)}@1`, `${a.issue(5)}@0.95`, `${a.linear(7)}@0.8`].sort(),
        );
        expect(ships(a.deploy("prod-3"))).toEqual([]);
        expect(got.links.filter((l) => l.rule === "rollback").map((l) => [l.from, l.to])).toEqual([
          [a.deploy("prod-3"), a.deploy("prod-2")],
        ]);
        expect(ships(a.deploy("prod-4"))).toEqual([]);
        expect(ships(a.deploy("stg-2"))).toEqual([]);
        expect(ships(b.deploy("prod-2"))).toEqual([`${b.commit(U)}@1`]);
        expect(range(b.deploy("prod-2"))).toMatchObject({
          previousKey: b.deploy("prod-1"),
          rangeFrontier: [P, U].sort(),
        });
        expect(range(b.deploy("prod-3"))).toMatchObject({
          previousKey: b.deploy("prod-2"),
          rangeFrontier: [R, U].sort(),
        });
        expect(got.milestones.some((m) => m.type === "deploy.rolled_back" && m.subject === a.deploy("prod-3"))).toBe(
          true,
        );
      }
    },
  );

  it(
    "gives the per-deploy recompute's links, ranges and milestones " + "on seeded random graphs, batches and states",
    async () => {
      for (let seed = 1; seed <= 12; seed++) {
        const r = prng(seed);
        // Fixed namespaces: a failing seed replays the same graph.
        const letter = "abcdefghijklmnop"[seed]!;
        const worlds = [world(`rangebatch${letter}x`), world(`rangebatch${letter}y`)];
        await tx(async (t) => {
          const keys = await randomGraph(t, r, worlds);
          // A first recompute of some deploys (with the oracle, so the state is the old code's)...
          await oracleRecomputeDeploys(
            t,
            keys.filter(() => r() < 0.6),
          );
          // ...then stale state and new facts, so the compared recompute creates, removes and moves.
          await perturb(t, r, worlds, keys);
          const batch = shuffle(r, [...keys.filter(() => r() < 0.7), worlds[0]!.deploy("missing")]);
          const got = await compareWithOracle(t, worlds, batch);
          // Nothing left to change: the same batch again tells nothing and writes nothing new.
          const again = await outcome(t, worlds, () => recomputeDeploys(t, batch));
          expect(again, `seed ${seed}`).toEqual({ ...got, milestones: [] });
        });
      }
    },
  );
});

/**
 * Two repositories of random commit DAGs (some commits never pushed, some pushed without their
 * parents), PRs containing commits and closing or referencing issues, and deploys over two
 * environments and two services with colliding times and some failures. Rows written directly.
 */
async function randomGraph(t: Sql, r: Rand, worlds: World[]): Promise<string[]> {
  const keys: string[] = [];
  for (const w of worlds) {
    const n = 10 + int(r, 6);
    const shas = Array.from({ length: n }, (_, i) => w.sha(`c${i}`));
    const unknown = new Set(shas.filter((_, i) => i > 0 && r() < 0.15));
    const commits = shas
      .map((sha, i) => ({
        repository: w.repo,
        sha,
        parents:
          i === 0 || r() < 0.1
            ? r() < 0.2 && i > 0
              ? [w.sha(`outside${i}`)]
              : []
            : [...new Set(Array.from({ length: 1 + int(r, 2) }, () => shas[int(r, i)]!))],
        event_id: randomUUID(),
      }))
      .filter((c) => !unknown.has(c.sha));
    await t.execute`
      INSERT INTO commits (repository, sha, parents, event_id)
      SELECT repository, sha, parents, event_id
      FROM jsonb_populate_recordset(NULL::commits, ${jsonParam(commits)}::jsonb)`;
    const writes: Array<{ link: LinkFact; evidence: string[] }> = [];
    const link = (from: string, to: string, relation: string, rule: string, confidence: number) =>
      writes.push({ link: { from, to, relation, rule, confidence }, evidence: [randomUUID()] });
    for (let p = 1; p <= 4; p++) {
      for (let k = 0; k <= int(r, 3); k++) link(w.pr(p), w.commit(pick(r, shas)), "contains", "pr-branch-push", 0.9);
      if (r() < 0.6) link(w.pr(p), w.issue(int(r, 4)), "closes", "github-closing-keyword", 0.95);
      if (r() < 0.4) link(w.pr(p), w.linear(int(r, 4)), pick(r, ["closes", "references"]), "linear-magic-word", 0.8);
    }
    for (let k = 0; k < 4; k++)
      link(w.commit(pick(r, shas)), w.linear(int(r, 4)), pick(r, ["closes", "references"]), "linear-magic-word", 0.8);
    // Neither an issue nor a Linear issue: not shipped.
    link(w.commit(pick(r, shas)), w.pr(9), "references", "github-pr-ref", 0.7);
    await upsertLinks(t, writes);
    const deploys = Array.from({ length: 7 + int(r, 5) }, (_, i) => {
      const at = hours(int(r, 6)).toISOString();
      return {
        key: w.deploy(`d${i}`),
        repository: w.repo,
        environment: pick(r, ["production", "staging"]),
        service: r() < 0.85 ? w.repo : "worker",
        sha: r() < 0.1 ? w.sha(`never${i}`) : pick(r, shas),
        status: r() < 0.8 ? "succeeded" : pick(r, ["failed", "in_progress"]),
        at,
        status_at: at,
        event_ids: Array.from({ length: 1 + int(r, 2) }, () => randomUUID()),
      };
    });
    await t.execute`
      INSERT INTO deploys (key, repository, environment, service, sha, status, at, status_at, event_ids)
      SELECT key, repository, environment, service, sha, status, at, status_at, event_ids
      FROM jsonb_populate_recordset(NULL::deploys, ${jsonParam(deploys)}::jsonb)`;
    keys.push(...deploys.map((d) => d.key));
  }
  return keys;
}

/** Stale derived links and ranges, a status flip, and facts that arrived since the last recompute. */
async function perturb(t: Sql, r: Rand, worlds: World[], keys: string[]) {
  for (const key of keys) {
    const roll = r();
    if (roll < 0.15)
      await t.execute`DELETE FROM links WHERE from_key = ${key} AND rule = ANY(${RANGE_RULES}::text[])
        AND to_key IN (SELECT to_key FROM links WHERE from_key = ${key} ORDER BY to_key LIMIT 1)`;
    else if (roll < 0.3)
      await t.execute`UPDATE links SET confidence = 0.5, evidence = '{}'
        WHERE from_key = ${key} AND rule = 'deploy-range'`;
    else if (roll < 0.4)
      await t.execute`UPDATE deploys SET previous_key = ${pick(r, keys)}, range_known = true WHERE key = ${key}`;
    else if (roll < 0.5) await t.execute`UPDATE deploys SET range_frontier = ARRAY['stale'] WHERE key = ${key}`;
    else if (roll < 0.55) await t.execute`UPDATE deploys SET status = 'failed' WHERE key = ${key}`;
    else if (roll < 0.6)
      await upsertLinks(t, [
        {
          link: { from: key, to: pick(r, keys), relation: "rolls_back", rule: "rollback", confidence: 0.9 },
          evidence: [randomUUID()],
        },
      ]);
  }
  for (const w of worlds) {
    // A later push reveals parents of a commit the walks stopped at, and a PR gains a commit.
    const [c] = await t.query<Array<{ sha: string }>>`
      SELECT sha FROM commits WHERE repository = ${w.repo} AND cardinality(parents) = 0 ORDER BY sha LIMIT 1`;
    if (c && r() < 0.7)
      await t.execute`UPDATE commits SET parents = ARRAY[${w.sha(`c${int(r, 5)}`)}]::text[]
        WHERE repository = ${w.repo} AND sha = ${c.sha}`;
    if (r() < 0.7)
      await upsertLinks(t, [
        {
          link: {
            from: w.pr(5),
            to: w.commit(w.sha(`c${int(r, 10)}`)),
            relation: "contains",
            rule: "pr-merge-commit",
            confidence: 1,
          },
          evidence: [randomUUID()],
        },
        {
          link: { from: w.pr(5), to: w.issue(7), relation: "references", rule: "github-issue-ref", confidence: 0.8 },
          evidence: [randomUUID()],
        },
      ]);
  }
}

describe("lockScopes", () => {
  it(
    "takes a call's locks one after another in the global order: " + "a wait on one leaves the later ones untaken",
    async () => {
      const w = world();
      const [s1, s2, s3] = ["a", "b", "c"].map((x) => scope("repo", `${w.repo}-${x}`)) as [string, string, string];
      const lockKey = (s: string) => `hashtextextended(current_schema() || chr(31) || '${s.replaceAll("'", "''")}', 0)`;
      // Whether another session could take the scope now (a transaction-level try, released at once).
      const free = async (s: string) =>
        (await db.pool.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${lockKey(s)}) AS ok`)).rows[0]!.ok;
      let releaseHolder!: () => void;
      const held = new Promise<void>((resolve) => (releaseHolder = resolve));
      let holding!: () => void;
      const isHolding = new Promise<void>((resolve) => (holding = resolve));
      const holder = inTransaction(db.pool, async (t) => {
        await lockScopes(t, [s2]);
        holding();
        await held;
      });
      await isHolding;
      let done = false;
      const waiter = rolledBack(db.pool, async (t) => {
        await lockScopes(t, [s3, s1, s2]); // taken as s1, s2, s3
        done = true;
      });
      // The waiter holds s1 and waits on s2; s3 is still free.
      for (let i = 0; i < 100 && (await free(s1)); i++) await new Promise((res) => setTimeout(res, 20));
      expect(await free(s1)).toBe(false);
      expect(await free(s3)).toBe(true);
      expect(done).toBe(false);
      releaseHolder();
      await holder;
      await waiter;
      expect(done).toBe(true);
      expect(await free(s3)).toBe(true);
    },
  );
});
