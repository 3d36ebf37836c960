import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { computeDora, type DoraWindow } from "../../../src/store/read/dora.js";
import { doraFigures, type DoraFacts, doraSeries, environmentMatcher } from "../../../src/store/read/dora-math.js";
import type { Database } from "../../../src/store/prisma.js";
import { doraBands } from "../../../src/store/read/dora-bands.js";
import { inTransaction, onConnection } from "../../../src/store/sql.js";
import { useIsolatedDatabase } from "../../helpers/service.js";

/**
 * computeDora reads its facts in one statement built for speed (src/store/read/dora.ts). Here the same
 * answers are worked out the plain way on a random graph (fixed seed): each fact read by its own
 * obvious query, then the pure maths (dora-math.ts). Both must give the same JSON, for windows
 * with and without an environment, with and without buckets. The graph has what the shortcuts
 * must not get wrong: PRs shipped by several deploys, head commits linked twice, commits that an
 * unshipped PR contains, PRs without a row, commits without an author time, ties in finish times,
 * rollbacks, reverts shipped in other environments, other repositories.
 */

const REPO = "acme/reads";
const OTHER = "acme/elsewhere";
const PRODUCTION = ["prod*", "production*", "live"];
const ENVIRONMENTS = ["production", "prod-eu", "staging", "Live"];
const DAY = 86_400_000;
const T0 = Date.parse("2026-03-01T00:00:00Z");

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20261207);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: T[]) => xs[int(xs.length)]!;
/** Times on a 10-minute grid over 30 days: ties happen. */
const at = () => new Date(T0 + int(30 * 144) * 600_000);

const commit = (repo: string, sha: string) => `github:commit:${repo}@${sha}`;
const pr = (repo: string, n: number) => `github:pr:${repo}#${n}`;

interface Seed {
  deploys: Array<{ key: string; repository: string; environment: string; status: string; finishedAt: Date }>;
  commits: Array<{ repository: string; sha: string; authoredAt: Date | null }>;
  prs: Array<{ key: string; repository: string; number: number; createdAt: Date | null }>;
  links: Array<{ from: string; to: string; relation: string; rule: string; confidence?: number }>;
  incidents: Array<{ key: string; openedAt: Date; status: string; resolvedAt: Date | null }>;
  bugs: string[];
}

function seed(): Seed {
  const s: Seed = { deploys: [], commits: [], prs: [], links: [], incidents: [], bugs: [] };
  const link = (from: string, to: string, relation: string, rule = "seeded", confidence = 1) => {
    if (!s.links.some((l) => l.from === from && l.to === to && l.relation === relation && l.rule === rule))
      s.links.push({ from, to, relation, rule, confidence });
  };
  for (const repo of [REPO, OTHER]) {
    const commits = Array.from({ length: 120 }, (_, i) => `${repo === REPO ? "c" : "o"}${i}`);
    for (const sha of commits) s.commits.push({ repository: repo, sha, authoredAt: random() < 0.05 ? null : at() });
    const prs = Array.from({ length: 50 }, (_, i) => i + 1);
    for (const n of prs) {
      // 1 in 10 PRs has no row (linked before its event was stored): shipped, yet no lead time
      if (random() < 0.9) s.prs.push({ key: pr(repo, n), repository: repo, number: n, createdAt: at() });
      const own = Array.from({ length: int(5) }, () => pick(commits));
      for (const sha of own) link(pr(repo, n), commit(repo, sha), "contains", "pr-branch-push");
      if (own.length && random() < 0.7) link(pr(repo, n), commit(repo, own.at(-1)!), "contains", "pr-head-commit");
    }
    for (let i = 0; i < 8; i++) link(pr(repo, pick(prs)), pr(repo, pick(prs)), "reverts");
    const keys: string[] = [];
    for (let i = 0; i < 90; i++) {
      const key = `deploy:generic:${repo === REPO ? "d" : "x"}${i}`;
      const status = pick(["succeeded", "succeeded", "succeeded", "failed", "cancelled"]);
      s.deploys.push({ key, repository: repo, environment: pick(ENVIRONMENTS), status, finishedAt: at() });
      keys.push(key);
      for (let j = int(6); j > 0; j--) link(key, pr(repo, pick(prs)), "ships");
      for (let j = int(6); j > 0; j--) link(key, commit(repo, pick(commits)), "ships");
      if (i > 0 && random() < 0.1) link(key, pick(keys.slice(0, -1)), "rolls_back");
      if (random() < 0.3) link(key, `github:issue:${repo}#${1 + int(20)}`, "ships");
    }
    // Issues: some bugs, some tracking incidents; incidents with suspects of equal and unequal confidence.
    for (let n = 1; n <= 20; n++) if (random() < 0.2) s.bugs.push(`github:issue:${repo}#${n}`);
    for (let i = 0; i < 15; i++) {
      const key = `incident:pagerduty:${repo}-${i}`;
      const openedAt = at();
      const resolved = random() < 0.7;
      s.incidents.push({ key, openedAt, status: resolved ? "resolved" : "open", resolvedAt: resolved ? at() : null });
      for (let j = 1 + int(3); j > 0; j--)
        link(key, pick(keys), "caused_by", "incident-suspect", pick([0.4, 0.55, 0.8]));
      if (random() < 0.3) link(key, `github:issue:${repo}#${1 + int(20)}`, "tracked_in", "incident-label");
    }
  }
  return s;
}

/** The facts read the plain way: what store/read/dora.ts read before its reads were made one statement. */
async function plainFacts(db: Database, w: DoraWindow): Promise<DoraFacts> {
  const horizon = new Date(w.until.getTime() + 90 * DAY);
  return onConnection(db.pool, async (sql) => {
    const found = await sql.query<DoraFacts["deploys"]>`
      SELECT key, repository, environment, status, finished_at AS "finishedAt" FROM deploys
      WHERE repository = ${w.repository}
        AND (${w.environment ?? null}::text IS NULL OR environment = ${w.environment ?? null})
        AND status IN ('succeeded', 'failed') AND finished_at >= ${w.since} AND finished_at < ${horizon}
      ORDER BY finished_at, key`;
    const production = environmentMatcher(w.production);
    const deploys = w.environment ? found : found.filter((d) => production(d.environment));
    const keys = deploys.filter((d) => d.finishedAt < w.until).map((d) => d.key);
    const changes = await sql.query<DoraFacts["changes"]>`
      SELECT s.from_key AS deploy, LEAST(pr.created_at, (SELECT min(c.authored_at) FROM links l
        JOIN commits c ON 'github:commit:' || c.repository || '@' || c.sha = l.to_key
        WHERE l.from_key = s.to_key AND l.relation = 'contains')) AS "startedAt"
      FROM links s JOIN pull_requests pr ON pr.key = s.to_key
      WHERE s.relation = 'ships' AND s.from_key = ANY(${keys})
      UNION ALL
      SELECT s.from_key, c.authored_at FROM links s
      JOIN commits c ON 'github:commit:' || c.repository || '@' || c.sha = s.to_key
      WHERE s.relation = 'ships' AND s.from_key = ANY(${keys})
        AND NOT EXISTS (SELECT 1 FROM links l WHERE l.to_key = s.to_key AND l.relation = 'contains'
          AND l.from_key LIKE 'github:pr:%')`;
    const rolledBack = await sql.query<DoraFacts["restorations"]>`
      SELECT to_key AS failed, from_key AS "restoredBy" FROM links
      WHERE relation = 'rolls_back' AND to_key = ANY(${keys}) ORDER BY to_key, from_key`;
    const reverted = await sql.query<DoraFacts["restorations"]>`
      SELECT DISTINCT shipped.from_key AS failed, fix.from_key AS "restoredBy"
      FROM links shipped JOIN links rev ON rev.to_key = shipped.to_key AND rev.relation = 'reverts'
      JOIN deploys a ON a.key = shipped.from_key
      JOIN links fix ON fix.to_key = rev.from_key AND fix.relation = 'ships'
      JOIN deploys b ON b.key = fix.from_key AND b.environment = a.environment AND b.repository = a.repository
        AND b.at > a.at
      WHERE shipped.relation = 'ships' AND shipped.from_key = ANY(${keys})
      ORDER BY 1, 2`;
    // Each incident's top suspect: highest confidence, then the latest deploy, then the key.
    const suspects = await sql.query<
      Array<{ incident: string; deploy: string; confidence: number; at: Date; status: string; resolvedAt: Date | null }>
    >`
      SELECT l.from_key AS incident, l.to_key AS deploy, l.confidence, d.at, i.status, i.resolved_at AS "resolvedAt"
      FROM links l JOIN deploys d ON d.key = l.to_key JOIN incidents i ON i.key = l.from_key
      WHERE l.rule = 'incident-suspect' AND i.opened_at >= ${w.since}`;
    const top = new Map<string, (typeof suspects)[number]>();
    for (const x of suspects) {
      const best = top.get(x.incident);
      const better =
        !best ||
        x.confidence > best.confidence ||
        (x.confidence === best.confidence && (x.at > best.at || (+x.at === +best.at && x.deploy < best.deploy)));
      if (better) top.set(x.incident, x);
    }
    const incidentFailures = [...top.values()]
      .filter((x) => keys.includes(x.deploy))
      .sort((a, b) => (a.incident < b.incident ? -1 : 1))
      .map((x) => ({
        deploy: x.deploy,
        incident: x.incident,
        resolvedAt: x.status === "resolved" ? x.resolvedAt : null,
      }));
    const bugs = (w.bugLabels ?? ["bug"]).map((l) => l.toLowerCase());
    const reworks = await sql.query<Array<{ key: string }>>`
      SELECT k AS key FROM unnest(${keys}::text[]) k WHERE
        EXISTS (SELECT 1 FROM links l WHERE l.from_key = k AND l.relation = 'rolls_back')
        OR EXISTS (SELECT 1 FROM links s WHERE s.from_key = k AND s.relation = 'ships' AND (
          EXISTS (SELECT 1 FROM links r WHERE r.from_key = s.to_key AND r.relation = 'reverts')
          OR EXISTS (SELECT 1 FROM links t WHERE t.to_key = s.to_key AND t.rule = 'incident-label')
          OR EXISTS (SELECT 1 FROM issue_labels b WHERE b.key = s.to_key
            AND EXISTS (SELECT 1 FROM unnest(b.labels) x WHERE lower(x) = ANY(${bugs}::text[])))))
      ORDER BY k`;
    return {
      since: w.since,
      until: w.until,
      deploys,
      changes,
      restorations: [...rolledBack, ...reverted],
      incidentFailures,
      reworks: reworks.map((r) => r.key),
    };
  });
}

const store = useIsolatedDatabase();

beforeAll(async () => {
  const s = seed();
  const e = randomUUID();
  await inTransaction(store.db.pool, async (sql) => {
    for (const d of s.deploys)
      await sql.execute`
        INSERT INTO deploys (key, repository, service, environment, sha, status, finished_at, at, status_at, event_ids)
        VALUES (${d.key}, ${d.repository}, ${d.repository}, ${d.environment}, ${"0".repeat(40)}, ${d.status},
                ${d.finishedAt}, ${d.finishedAt}, ${d.finishedAt}, ARRAY[${e}]::uuid[])`;
    for (const c of s.commits)
      await sql.execute`INSERT INTO commits (repository, sha, parents, authored_at, event_id)
        VALUES (${c.repository}, ${c.sha}, '{}', ${c.authoredAt}, ${e}::uuid)`;
    for (const p of s.prs)
      await sql.execute`INSERT INTO pull_requests (key, repository, number, title, created_at, updated_at, event_id)
        VALUES (${p.key}, ${p.repository}, ${p.number}, ${`PR ${p.number}`}, ${p.createdAt},
          ${new Date(T0)}, ${e}::uuid)`;
    for (const l of s.links)
      await sql.execute`INSERT INTO links (from_key, to_key, relation, rule, confidence, evidence)
        VALUES (${l.from}, ${l.to}, ${l.relation}, ${l.rule}, ${l.confidence ?? 1}, ARRAY[${e}]::uuid[])`;
    for (const i of s.incidents)
      await sql.execute`INSERT INTO incidents (key, source, status, status_at, opened_at, resolved_at, event_ids)
        VALUES (${i.key}, 'pagerduty', ${i.status}, ${i.openedAt}, ${i.openedAt}, ${i.resolvedAt},
          ARRAY[${e}]::uuid[])`;
    for (const key of s.bugs)
      await sql.execute`INSERT INTO issue_labels (key, labels, labels_at) VALUES (${key}, ARRAY['Bug'], ${new Date(T0)})`;
  });
});

describe("computeDora's one-statement reads", () => {
  const windows: DoraWindow[] = [];
  for (const environment of [undefined, ...ENVIRONMENTS, "nowhere"])
    for (const [from, days] of [
      [0, 30],
      [5, 10],
      [12, 14],
      [20, 3],
    ] as const)
      windows.push({
        repository: REPO,
        environment,
        production: PRODUCTION,
        since: new Date(T0 + from * DAY),
        until: new Date(T0 + (from + days) * DAY),
        bucket: days === 10 ? "day" : days === 30 ? "week" : undefined,
      });
  windows.push({ ...windows[0]!, repository: "acme/none" });

  it("give the answers of the plain reads and the pure maths", async () => {
    let failures = 0;
    let changes = 0;
    let incidentCauses = 0;
    let reworks = 0;
    for (const w of windows) {
      const facts = await plainFacts(store.db, w);
      const { deploys: counted, ...figures } = doraFigures(facts);
      const expected = {
        repository: w.repository,
        group: null,
        repositories: [...new Set(counted.map((d) => d.repository))].sort(),
        environment: w.environment ?? null,
        environments: [...new Set(counted.map((d) => d.environment))].sort(),
        productionEnvironments: w.environment ? null : w.production,
        since: w.since,
        until: w.until,
        ...figures,
        deploys: counted,
        bands: doraBands(figures),
        ...(w.bucket ? { series: doraSeries(facts, w.bucket) } : {}),
      };
      expect(JSON.stringify(await computeDora(store.db.pool, w))).toBe(JSON.stringify(expected));
      failures += figures.changeFailureRate.failures;
      incidentCauses += counted.filter((d) => d.incidents.length).length;
      reworks += figures.deploymentReworkRate.reworks;
      changes += figures.leadTimeForChanges.changes;
    }
    // the seed is rich enough to exercise every part
    expect(failures).toBeGreaterThan(10);
    expect(changes).toBeGreaterThan(50);
    expect(incidentCauses).toBeGreaterThan(3);
    expect(reworks).toBeGreaterThan(10);
  });
});
