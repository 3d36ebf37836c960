import { Prisma } from "../../generated/prisma/client.js";
import { commitKey, isPrKey, ISSUE_PREFIXES } from "../../shared/keys.js";
import { BUILTIN_RULES } from "../../correlate/builtin-rules.js";
import type { LinkFact } from "../../correlate/facts.js";
import { jsonParam, type Sql as Tx } from "../sql.js";
import { replaceLinks } from "./links.js";
import { deployMilestones, linkMilestones, type MilestoneDraft } from "../../correlate/milestones.js";

/** A deploy as its recompute reads it, with its baseline: the previous successful deploy of (R, E). */
interface DeployState {
  key: string;
  repository: string;
  environment: string;
  sha: string;
  status: string;
  eventIds: string[];
  previousKey: string | null;
  rangeKnown: boolean;
  rangeFrontier: string[];
  base: { key: string; sha: string; eventIds: string[]; ranShaEarlier: boolean } | null;
}

const ISSUE_CONFIDENCE: Record<string, number> = { closes: 0.95, references: 0.8 };
const RANGE_RULES = ["deploy-range", "rollback"];

/** Rows by a key, in their order (Map.groupBy arrives with Node 21). */
function groupBy<T>(rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** The deploys, each with its baseline and whether a deploy before the baseline already ran its SHA: one round trip. */
async function loadDeploys(tx: Tx, keys: string[]): Promise<DeployState[]> {
  const rows = await tx.query<
    Array<
      Omit<DeployState, "base"> & {
        baseKey: string | null;
        baseSha: string;
        baseEventIds: string[];
        ranShaEarlier: boolean;
      }
    >
  >`
    SELECT d.key, d.repository, d.environment, d.sha, d.status, d.event_ids AS "eventIds",
           d.previous_key AS "previousKey", d.range_known AS "rangeKnown", d.range_frontier AS "rangeFrontier",
           b.key AS "baseKey", b.sha AS "baseSha", b.event_ids AS "baseEventIds",
           b.key IS NOT NULL AND EXISTS (
             SELECT 1 FROM deploys e WHERE e.repository = d.repository AND e.service = d.service
               AND e.environment = d.environment
               AND e.status = 'succeeded' AND e.sha = d.sha AND (e.at, e.key) < (b.at, b.key)) AS "ranShaEarlier"
    FROM deploys d
    LEFT JOIN LATERAL (
      SELECT key, sha, at, event_ids FROM deploys p
      WHERE p.repository = d.repository AND p.service = d.service AND p.environment = d.environment
        AND p.status = 'succeeded'
        AND (p.at, p.key) < (d.at, d.key)
      ORDER BY p.at DESC, p.key DESC LIMIT 1) b ON true
    WHERE d.key = ANY(${keys}::text[])`;
  return rows.map(({ baseKey, baseSha, baseEventIds, ranShaEarlier, ...d }) => ({
    ...d,
    base: baseKey ? { key: baseKey, sha: baseSha, eventIds: baseEventIds, ranShaEarlier } : null,
  }));
}

/** What a deploy's walk found: whether it is in its baseline, the SHAs it ships, its frontier. */
interface CommitRange {
  /** The deployed SHA is the baseline or one of its ancestors. */
  inBase: boolean;
  shas: string[];
  frontier: string[];
}

/**
 * For each deploy, the commits reachable from its SHA but not from its baseline's, over the
 * ancestry pushes revealed; all deploys in one recursive statement, each walk keyed by its deploy.
 * `frontier` lists the commits of unknown parents either walk stopped at: a later push of one of
 * them can change the range (or make the deploy a rollback).
 */
async function commitRanges(
  tx: Tx,
  walks: Array<{ key: string; repo: string; sha: string; baseSha: string }>,
): Promise<Map<string, CommitRange>> {
  const ranges = new Map<string, CommitRange>();
  if (!walks.length) return ranges;
  const rows = await tx.query<
    Array<{ key: string; sha: string; known: boolean; frontier: boolean; inBase: boolean; side: string }>
  >`
    WITH RECURSIVE input AS (
      SELECT * FROM unnest(${walks.map((w) => w.key)}::text[], ${walks.map((w) => w.repo)}::text[],
        ${walks.map((w) => w.sha)}::text[], ${walks.map((w) => w.baseSha)}::text[]) AS i(key, repo, sha, base_sha)
    ),
    -- Each row carries its commit's parents (NULL: no push has shown the commit), looked up by
    -- primary key as the row is made: a join here would be planned as a scan of every commit.
    base(key, repo, sha, parents) AS (
      SELECT key, repo, base_sha, (SELECT COALESCE(c.parents, '{}') FROM commits c
        WHERE c.repository = input.repo AND c.sha = input.base_sha) FROM input
      UNION
      SELECT b.key, b.repo, p, (SELECT COALESCE(c.parents, '{}') FROM commits c
        WHERE c.repository = b.repo AND c.sha = p)
      FROM base b CROSS JOIN unnest(b.parents) p
    ),
    walk(key, repo, sha, parents) AS (
      SELECT key, repo, sha, (SELECT COALESCE(c.parents, '{}') FROM commits c
        WHERE c.repository = input.repo AND c.sha = input.sha) FROM input
      UNION
      SELECT w.key, w.repo, p, (SELECT COALESCE(c.parents, '{}') FROM commits c
        WHERE c.repository = w.repo AND c.sha = p)
      FROM walk w CROSS JOIN unnest(w.parents) p
      WHERE (w.key, w.sha) NOT IN (SELECT key, sha FROM base)
    )
    SELECT key, sha, parents IS NOT NULL AS known, (parents IS NULL OR cardinality(parents) = 0) AS frontier,
           (key, sha) IN (SELECT key, sha FROM base) AS "inBase", 'walk' AS side
    FROM walk
    UNION ALL
    SELECT key, sha, parents IS NOT NULL, true, true, 'base' FROM base
    WHERE parents IS NULL OR cardinality(parents) = 0`;
  const byKey = groupBy(rows, (r) => r.key);
  for (const { key, sha } of walks) {
    const mine = byKey.get(key) ?? [];
    const walk = mine.filter((r) => r.side === "walk");
    const outside = walk.filter((r) => !r.inBase);
    ranges.set(key, {
      inBase: walk.some((r) => r.sha === sha && r.inBase),
      // Unknown commits at the walk's edge may turn out to be baseline ancestors: ship only the
      // deployed SHA itself and commits whose push was seen.
      shas: outside.filter((r) => r.known || r.sha === sha).map((r) => r.sha),
      // Either walk can grow when a push reveals the parents of one of these.
      frontier: [
        ...new Set([...outside.filter((r) => r.frontier), ...mine.filter((r) => r.side === "base")].map((r) => r.sha)),
      ].sort(),
    });
  }
  return ranges;
}

/**
 * For each deploy's shipped commits: the PRs that contain them, and the issues those PRs or commits
 * close or reference. One statement for every deploy of the batch.
 */
async function shippedVia(
  tx: Tx,
  pairs: Array<{ key: string; commit: string }>,
): Promise<Map<string, Array<{ key: string; relation: string | null; via: string | null }>>> {
  if (!pairs.length) return new Map();
  const rows = await tx.query<Array<{ deploy: string; key: string; relation: string | null; via: string | null }>>`
    WITH input AS (
      SELECT * FROM unnest(${pairs.map((p) => p.key)}::text[], ${pairs.map((p) => p.commit)}::text[])
        AS i(deploy, commit)
    ),
    prs AS (SELECT DISTINCT i.deploy, l.from_key AS key FROM input i JOIN links l
      ON l.relation = 'contains' AND l.to_key = i.commit)
    SELECT deploy, key, NULL AS relation, NULL AS via FROM prs
    UNION ALL
    SELECT DISTINCT s.deploy, l.to_key, l.relation, l.from_key
    FROM (SELECT deploy, commit AS key FROM input UNION SELECT deploy, key FROM prs) s
    -- Looked up by source (OFFSET 0 keeps the planner from turning this into a scan of every link).
    CROSS JOIN LATERAL (SELECT to_key, relation, from_key FROM links l WHERE l.from_key = s.key
      AND l.relation IN ('closes', 'references')
      AND l.to_key LIKE ANY(${ISSUE_PREFIXES.map((p) => `${p}%`)}::text[]) OFFSET 0) l`;
  return groupBy(rows, (r) => r.deploy);
}

/** A deploy's new range: its links and the baseline and frontier stored with it. */
interface Plan {
  d: DeployState;
  links: Array<LinkFact & { evidence: string[] }>;
  previous: DeployState["base"];
  frontier: string[];
  issuePullRequests: Map<string, string[]>;
  rollsBack: string | null;
}

/**
 * What a succeeded deploy ships (contract §5 `ships`, rule deploy-range) and whether it rolls back the
 * previous deploy, from its range and what the shipped commits are linked to. Pure.
 */
function plan(
  d: DeployState,
  r: CommitRange,
  via: Array<{ key: string; relation: string | null; via: string | null }>,
): Plan {
  const previous = d.base;
  const links: Plan["links"] = [];
  const add = (to: string, relation: string, rule: string, confidence: number, evidence: string[]) =>
    links.push({ from: d.key, to, relation, rule, confidence, evidence });
  for (const c of shipsOf(d, r)) add(c, "ships", "deploy-range", 1, d.eventIds);
  const rollsBack = rolledBack(d, r);
  if (rollsBack)
    add(rollsBack.key, BUILTIN_RULES.rollback.relation, "rollback", BUILTIN_RULES.rollback.confidence, [
      ...d.eventIds,
      ...rollsBack.eventIds,
    ]);
  const issuePullRequests = new Map<string, string[]>();
  const best = new Map<string, number>();
  for (const row of via) {
    if (row.relation === null) add(row.key, "ships", "deploy-range", 1, d.eventIds);
    else {
      best.set(row.key, Math.max(best.get(row.key) ?? 0, ISSUE_CONFIDENCE[row.relation] ?? 0.8));
      if (row.via && isPrKey(row.via))
        issuePullRequests.set(row.key, [...new Set([...(issuePullRequests.get(row.key) ?? []), row.via])]);
    }
  }
  for (const [issue, confidence] of best) add(issue, "ships", "deploy-range", confidence, d.eventIds);
  return { d, links, previous, frontier: r.frontier, issuePullRequests, rollsBack: rollsBack?.key ?? null };
}

/**
 * The deploy a succeeded deploy rolls back, if it is a redeploy of an earlier SHA (an ancestor of
 * the baseline, or what an earlier deploy ran): its baseline; null otherwise.
 */
function rolledBack(d: DeployState, r: CommitRange): DeployState["base"] {
  const previous = d.base;
  return previous && d.sha !== previous.sha && (r.inBase || previous.ranShaEarlier) ? previous : null;
}

/** The commit keys a succeeded deploy ships: none for a redeploy of its baseline's SHA or a rollback. */
function shipsOf(d: DeployState, r: CommitRange): string[] {
  if (d.base && d.sha === d.base.sha) return []; // the same SHA again: nothing new ships
  if (rolledBack(d, r)) return []; // a rollback ships nothing
  return r.shas.map((s) => commitKey(d.repository, s));
}

/**
 * Recomputes what deploys ship and whether they roll back, from the facts stored so far. Called
 * whenever a fact a deploy depends on changes, which is what makes the result independent of
 * arrival order. A batch's deploys are recomputed together, a few statements in all: no deploy's
 * recompute reads what another's writes (ranges read pushes and `contains`/`closes`/`references`
 * links; they write `ships`/`rolls_back` links and their own baseline). Returns the milestones
 * (contract §9) of what changed, deploy by deploy in key order.
 */
export async function recomputeDeploys(tx: Tx, keys: string[]): Promise<MilestoneDraft[]> {
  if (!keys.length) return [];
  const deploys = (await loadDeploys(tx, keys)).sort((a, b) => (a.key < b.key ? -1 : 1));
  const succeeded = deploys.filter((d) => d.status === "succeeded");
  const ranges = await commitRanges(
    tx,
    succeeded.flatMap((d) => (d.base ? [{ key: d.key, repo: d.repository, sha: d.sha, baseSha: d.base.sha }] : [])),
  );
  // The first deploy of an environment has no baseline: it proves only its own SHA shipped,
  // never the whole history before it.
  const rangeOf = (d: DeployState): CommitRange => ranges.get(d.key) ?? { inBase: false, shas: [d.sha], frontier: [] };
  const shipped = succeeded.flatMap((d) => shipsOf(d, rangeOf(d)).map((commit) => ({ key: d.key, commit })));
  const via = await shippedVia(tx, shipped);
  const plans = deploys.map((d) =>
    d.status === "succeeded"
      ? plan(d, rangeOf(d), via.get(d.key) ?? [])
      : { d, links: [], previous: null, frontier: [], issuePullRequests: new Map(), rollsBack: null },
  );
  const replaced = await replaceLinks(
    tx,
    RANGE_RULES,
    plans.map((p) => ({ from: p.d.key, links: p.links })),
  );
  const moved = await saveRanges(tx, plans);
  return plans.flatMap((p) => {
    const { created, removed } = replaced.get(p.d.key) ?? { created: [], removed: 0 };
    if (p.d.status !== "succeeded" || (!created.length && !removed && !moved.has(p.d.key))) return [];
    const ships = p.links.filter((l) => l.relation === "ships").map((l) => l.to);
    return [
      ...linkMilestones(created, true),
      ...deployMilestones(
        {
          key: p.d.key,
          repository: p.d.repository,
          environment: p.d.environment,
          previous: p.previous?.key ?? null,
          rangeKnown: p.previous !== null,
          ships,
          issuePullRequests: p.issuePullRequests,
          rollsBack: p.rollsBack,
        },
        created.filter((l) => l.relation === "ships").map((l) => l.to),
        created.some((l) => l.rule === "rollback"),
      ),
    ];
  });
}

/**
 * Stores each deploy's baseline and range frontier, unless they are already so (one statement);
 * returns the deploys whose baseline moved.
 */
async function saveRanges(tx: Tx, plans: Plan[]): Promise<Set<string>> {
  const moved = new Set<string>();
  const changed: Array<{ key: string; previous_key: string | null; range_known: boolean; range_frontier: string[] }> =
    [];
  for (const { d, previous, frontier } of plans) {
    const previousKey = previous?.key ?? null;
    const rangeKnown = previous !== null;
    const baselineMoved = d.previousKey !== previousKey || d.rangeKnown !== rangeKnown;
    if (baselineMoved) moved.add(d.key);
    if (!baselineMoved && (d.rangeFrontier ?? []).join() === frontier.join()) continue;
    changed.push({ key: d.key, previous_key: previousKey, range_known: rangeKnown, range_frontier: frontier });
  }
  if (changed.length)
    await tx.execute`
      UPDATE deploys SET previous_key = c.previous_key, range_known = c.range_known, range_frontier = c.range_frontier
      FROM jsonb_to_recordset(${jsonParam(changed)}::jsonb)
        AS c(key text, previous_key text, range_known boolean, range_frontier text[])
      WHERE deploys.key = c.key`;
  return moved;
}

/**
 * Deploys whose range may change with deploy `d` (a row named `d` in the enclosing query, as it is
 * now): the next successful deploy of its environment, those that had it as baseline, and later
 * redeploys of its SHA (a rollback once this earlier deploy of it is known).
 */
export const dependentDeploys = Prisma.sql`
  (SELECT n.key FROM deploys n WHERE n.repository = d.repository AND n.service = d.service
    AND n.environment = d.environment
     AND n.status = 'succeeded' AND (n.at, n.key) > (d.at, d.key) AND n.key <> d.key ORDER BY n.at, n.key LIMIT 1)
  UNION
  SELECT n.key FROM deploys n WHERE n.previous_key = d.key
  UNION
  SELECT n.key FROM deploys n WHERE n.repository = d.repository AND n.service = d.service
    AND n.environment = d.environment
    AND n.sha = d.sha AND n.status = 'succeeded' AND (n.at, n.key) > (d.at, d.key) AND n.key <> d.key`;
