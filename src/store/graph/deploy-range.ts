import { Prisma } from "../../generated/prisma/client.js";
import { commitKey, PREFIX } from "../../shared/keys.js";
import { BUILTIN_RULES } from "../../correlate/builtin-rules.js";
import type { LinkFact } from "../../correlate/facts.js";
import type { Sql as Tx } from "../sql.js";
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

/** The deploy, its baseline, and whether a deploy before the baseline already ran its SHA: one round trip. */
async function loadDeploy(tx: Tx, key: string): Promise<DeployState | null> {
  const [row] = await tx.query<
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
    WHERE d.key = ${key}`;
  if (!row) return null;
  const { baseKey, baseSha, baseEventIds, ranShaEarlier, ...d } = row;
  return { ...d, base: baseKey ? { key: baseKey, sha: baseSha, eventIds: baseEventIds, ranShaEarlier } : null };
}

/**
 * Commits reachable from `sha` but not from `baseSha`, over the ancestry pushes revealed.
 * `frontier` lists the commits of unknown parents either walk stopped at: a later push of one of
 * them can change the range (or make the deploy a rollback).
 */
async function commitRange(tx: Tx, repo: string, sha: string, baseSha: string | null) {
  const rows = await tx.query<Array<{ sha: string; known: boolean; frontier: boolean; inBase: boolean; side: string }>>`
    WITH RECURSIVE base(sha) AS (
      SELECT ${baseSha}::text WHERE ${baseSha}::text IS NOT NULL
      UNION
      SELECT p FROM base JOIN commits c ON c.repository = ${repo} AND c.sha = base.sha CROSS JOIN unnest(c.parents) p
    ),
    walk(sha) AS (
      SELECT ${sha}::text
      UNION
      SELECT p FROM walk JOIN commits c ON c.repository = ${repo} AND c.sha = walk.sha CROSS JOIN unnest(c.parents) p
      WHERE walk.sha NOT IN (SELECT sha FROM base)
    )
    SELECT w.sha, c.sha IS NOT NULL AS known,
           (c.sha IS NULL OR cardinality(c.parents) = 0) AS frontier,
           w.sha IN (SELECT sha FROM base) AS "inBase", 'walk' AS side
    FROM walk w LEFT JOIN commits c ON c.repository = ${repo} AND c.sha = w.sha
    UNION ALL
    SELECT b.sha, c.sha IS NOT NULL, true, true, 'base'
    FROM base b LEFT JOIN commits c ON c.repository = ${repo} AND c.sha = b.sha
    WHERE c.sha IS NULL OR cardinality(c.parents) = 0`;
  const walk = rows.filter((r) => r.side === "walk");
  const inBase = walk.some((r) => r.sha === sha && r.inBase);
  const outside = walk.filter((r) => !r.inBase);
  return {
    /** The deployed SHA is the baseline or one of its ancestors. */
    inBase,
    // Unknown commits at the walk's edge may turn out to be baseline ancestors: ship only the
    // deployed SHA itself and commits whose push was seen.
    shas: outside.filter((r) => r.known || r.sha === sha).map((r) => r.sha),
    // Either walk can grow when a push reveals the parents of one of these.
    frontier: [
      ...new Set([...outside.filter((r) => r.frontier), ...rows.filter((r) => r.side === "base")].map((r) => r.sha)),
    ].sort(),
  };
}

/**
 * Recomputes what a deploy ships (SPEC §5 `ships`, rule deploy-range) and whether it rolls back
 * the previous deploy, from the facts stored so far. Called whenever a fact it depends on changes,
 * which is what makes the result independent of arrival order. Returns the milestones (SPEC §9)
 * of what changed.
 */
export async function recomputeDeploy(tx: Tx, key: string): Promise<MilestoneDraft[]> {
  const d = await loadDeploy(tx, key);
  if (!d) return [];
  if (d.status !== "succeeded") {
    await replaceLinks(tx, d.key, RANGE_RULES, []);
    await saveRange(tx, d, null, false, []);
    return [];
  }
  const previous = d.base;
  // The first deploy of an environment has no baseline: it proves only its own SHA shipped,
  // never the whole history before it.
  const range = previous
    ? await commitRange(tx, d.repository, d.sha, previous.sha)
    : { inBase: false, shas: [d.sha], frontier: [] as string[] };
  const links: Array<LinkFact & { evidence: string[] }> = [];
  const add = (to: string, relation: string, rule: string, confidence: number, evidence: string[]) =>
    links.push({ from: d.key, to, relation, rule, confidence, evidence });

  let shas = range.shas;
  let rollsBack: string | null = null;
  if (previous && d.sha !== previous.sha) {
    // A redeploy of an earlier SHA: an ancestor of the baseline, or what an earlier deploy ran.
    if (range.inBase || previous.ranShaEarlier) {
      shas = [];
      rollsBack = previous.key;
      add(previous.key, BUILTIN_RULES.rollback.relation, "rollback", BUILTIN_RULES.rollback.confidence, [
        ...d.eventIds,
        ...previous.eventIds,
      ]);
    }
  } else if (previous) {
    shas = []; // the same SHA again: nothing new ships
  }
  const commitKeys = shas.map((s) => commitKey(d.repository, s));
  for (const c of commitKeys) add(c, "ships", "deploy-range", 1, d.eventIds);
  const issuePullRequests = new Map<string, string[]>();
  if (commitKeys.length) {
    // The PRs that contain these commits, and the issues those PRs or commits close or reference.
    const rows = await tx.query<Array<{ key: string; relation: string | null; via: string | null }>>`
      WITH prs AS (SELECT DISTINCT from_key AS key FROM links WHERE relation = 'contains'
        AND to_key = ANY(${commitKeys}))
      SELECT key, NULL AS relation, NULL AS via FROM prs
      UNION ALL
      SELECT DISTINCT to_key, relation, from_key FROM links
      WHERE from_key = ANY(${commitKeys}::text[] || ARRAY(SELECT key FROM prs)) AND relation IN ('closes', 'references')
        AND (to_key LIKE ${`${PREFIX.linearIssue}%`} OR to_key LIKE ${`${PREFIX.issue}%`})`;
    const best = new Map<string, number>();
    for (const r of rows) {
      if (r.relation === null) add(r.key, "ships", "deploy-range", 1, d.eventIds);
      else {
        best.set(r.key, Math.max(best.get(r.key) ?? 0, ISSUE_CONFIDENCE[r.relation] ?? 0.8));
        if (r.via?.startsWith(PREFIX.pr))
          issuePullRequests.set(r.key, [...new Set([...(issuePullRequests.get(r.key) ?? []), r.via])]);
      }
    }
    for (const [issue, confidence] of best) add(issue, "ships", "deploy-range", confidence, d.eventIds);
  }
  const { created, removed } = await replaceLinks(tx, d.key, RANGE_RULES, links);
  const rangeMoved = await saveRange(tx, d, previous?.key ?? null, previous !== null, range.frontier);
  if (!created.length && !removed && !rangeMoved) return [];
  const shipped = created.filter((l) => l.relation === "ships").map((l) => l.to);
  const rolledBack = created.some((l) => l.rule === "rollback");
  const ships = links.filter((l) => l.relation === "ships").map((l) => l.to);
  return [
    ...linkMilestones(created, true),
    ...deployMilestones(
      {
        key: d.key,
        repository: d.repository,
        environment: d.environment,
        previous: previous?.key ?? null,
        rangeKnown: previous !== null,
        ships,
        issuePullRequests,
        rollsBack,
      },
      shipped,
      rolledBack,
    ),
  ];
}

/** Stores the deploy's baseline and range frontier, unless they are already so; says whether the baseline moved. */
async function saveRange(
  tx: Tx,
  d: DeployState,
  previousKey: string | null,
  rangeKnown: boolean,
  frontier: string[],
): Promise<boolean> {
  const moved = d.previousKey !== previousKey || d.rangeKnown !== rangeKnown;
  if (!moved && (d.rangeFrontier ?? []).join() === frontier.join()) return false;
  await tx.execute`
    UPDATE deploys SET previous_key = ${previousKey}, range_known = ${rangeKnown}, range_frontier = ${frontier}::text[]
    WHERE key = ${d.key}`;
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
