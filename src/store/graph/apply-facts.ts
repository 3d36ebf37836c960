import { commitKey, linearIssueKey, repositoryOf, scope, scopeValue, teamOf } from "../../shared/keys.js";
import { dependentDeploys, recomputeDeploys } from "./deploy-range.js";
import type { CommitFact, DeployFact, Facts, LinkFact, MentionFact, PushFact } from "../../correlate/facts.js";
import type { Sql as Tx } from "../sql.js";
import { upsertEntities } from "./entities.js";
import { applyIncident, applyIssueLabels } from "./incidents.js";
import { type LinkWrite, upsertLinks } from "./links.js";
import { lockScopes } from "./locks.js";
import { jsonParam } from "../sql.js";
import { Prisma } from "../../generated/prisma/client.js";
import { BUILTIN_RULES } from "../../correlate/builtin-rules.js";
import { linkMilestones, type MilestoneDraft } from "../../correlate/milestones.js";
import { writeMilestones } from "../outbox.js";
import { applyPullRequest, prEvents } from "./pull-requests.js";

type MentionRow = {
  fromKey: string;
  relation: string;
  rule: string;
  confidence: number;
  eventId: string;
  target: string;
};
type MentionKind = MentionFact["kind"];

/** What a batch gathers as it goes. */
interface Pending {
  links: LinkWrite[];
  /** Mentions to store, written once at the end; the batch's own reads of mentions look here too. */
  mentions: Array<MentionRow & { kind: MentionKind }>;
  deploys: Set<string>;
  /** Linear team keys known to exist (read after the locks, grown as teams appear). */
  teams: Set<string>;
}

/** Links are gathered and written once per batch (nothing reads links until the recompute). */
function link(p: Pending, l: LinkFact, evidence: string[]) {
  p.links.push({ link: l, evidence });
}

/** Identifiers of `team` mentioned so far: stored ones, and this batch's not yet written. */
async function teamMentions(tx: Tx, p: Pending, team: string): Promise<MentionRow[]> {
  const stored = await tx.query<MentionRow[]>`
    SELECT from_key AS "fromKey", relation, rule, confidence, event_id AS "eventId", target FROM mentions
    WHERE kind = 'linear_identifier' AND target LIKE ${`${team}-%`}`;
  return [...stored, ...p.mentions.filter((m) => m.kind === "linear_identifier" && m.target.startsWith(`${team}-`))];
}

/** Writes the batch's mentions in one statement, sorted so concurrent batches lock alike. */
async function writeMentions(tx: Tx, p: Pending) {
  if (!p.mentions.length) return;
  const rows = p.mentions
    .map((m) => ({
      from_key: m.fromKey,
      kind: m.kind,
      target: m.target,
      relation: m.relation,
      rule: m.rule,
      confidence: m.confidence,
      event_id: m.eventId,
    }))
    .map((row) => ({ row, order: JSON.stringify(row) }))
    .sort((a, b) => (a.order < b.order ? -1 : 1))
    .map(({ row }) => row);
  await tx.execute`
    INSERT INTO mentions (from_key, kind, target, relation, rule, confidence, event_id)
    SELECT from_key, kind, target, relation, rule, confidence, event_id FROM jsonb_populate_recordset(NULL::mentions,
      ${jsonParam(rows)}::jsonb)
    ON CONFLICT DO NOTHING`;
}

/** Turns resolved mentions into links to `to(target)`. */
function resolveMentions(p: Pending, rows: MentionRow[], to: (target: string) => string | string[]) {
  for (const m of rows) {
    for (const target of [to(m.target)].flat()) {
      link(p, { from: m.fromKey, to: target, relation: m.relation, rule: m.rule, confidence: m.confidence }, [
        m.eventId,
      ]);
    }
  }
}

async function applyMentions(tx: Tx, p: Pending, eventId: string, facts: Facts) {
  for (const m of facts.mentions) {
    const row: MentionRow = {
      fromKey: m.from,
      relation: m.relation,
      rule: m.rule,
      confidence: m.confidence,
      eventId,
      target: m.target,
    };
    p.mentions.push({ ...row, kind: m.kind });
    if (m.kind === "linear_identifier") {
      if (p.teams.has(teamOf(m.target))) resolveMentions(p, [row], linearIssueKey);
    } else if (m.kind === "linear_issue_id") {
      const [issue] = await tx.query<
        Array<{ identifier: string }>
      >`SELECT identifier FROM linear_issues WHERE id = ${m.target}`;
      if (issue) resolveMentions(p, [row], () => linearIssueKey(issue.identifier));
    } else {
      const deploys = await tx.query<Array<{ key: string }>>`SELECT key FROM deploys WHERE url = ${m.target}`;
      if (deploys.length) resolveMentions(p, [row], () => deploys.map((d) => d.key));
    }
  }
}

async function applyLinear(tx: Tx, p: Pending, facts: Facts, at: Date) {
  for (const team of facts.linearTeams) {
    if (p.teams.has(team)) continue;
    await tx.execute`INSERT INTO linear_teams (key, first_seen_at) VALUES (${team}, ${at}) ON CONFLICT DO NOTHING`;
    p.teams.add(team);
    // A team seen for the first time validates every identifier of it mentioned so far.
    resolveMentions(p, await teamMentions(tx, p, team), linearIssueKey);
  }
  if (facts.linearIssue) {
    const { id, identifier } = facts.linearIssue;
    // One round trip: the writes run as CTEs; the mentions it resolves are other rows. A known
    // issue's row is only touched when its identifier changed (moved team): known ids are not
    // locked, and an upsert would lock the row, so two batches could deadlock on two issues.
    const stored = await tx.query<MentionRow[]>`
      WITH added AS (INSERT INTO linear_issues (id, identifier) VALUES (${id},
        ${identifier}) ON CONFLICT (id) DO NOTHING),
      renamed AS (UPDATE linear_issues SET identifier = ${identifier} WHERE id = ${id} AND identifier <> ${identifier})
      SELECT from_key AS "fromKey", relation, rule, confidence, event_id AS "eventId", target FROM mentions
      WHERE kind = 'linear_issue_id' AND target = ${id}`;
    const unwritten = p.mentions.filter((m) => m.kind === "linear_issue_id" && m.target === id);
    resolveMentions(p, [...stored, ...unwritten], () => linearIssueKey(identifier));
  }
}

async function applyPush(tx: Tx, p: Pending, push: PushFact, eventId: string, enabled: (rule: string) => boolean) {
  const repo = push.repository;
  // One statement per table for the whole push; a SHA listed twice is written once.
  const firstBySha = new Map<string, CommitFact>();
  for (const c of push.commits) if (!firstBySha.has(c.sha)) firstBySha.set(c.sha, c);
  const commits = [...firstBySha.values()].map((c) => ({
    repository: repo,
    sha: c.sha,
    parents: c.parents,
    message: c.message,
    authored_at: c.authoredAt,
    event_id: eventId,
  }));
  const shas = commits.map((c) => c.sha);
  if (!shas.length) return;
  const branchJoin = Boolean(push.branch && enabled("pr-branch-push"));
  // One round trip: the inserts run as CTEs; the joins read other rows (PRs of the branch, and
  // deploys whose range walk stopped at one of these commits: new ancestry can extend it).
  const rows = await tx.query<Array<{ kind: "pr" | "deploy"; key: string; eventIds: string[] | null }>>`
    WITH pushed AS (
      INSERT INTO commits (repository, sha, parents, message, authored_at, event_id)
      SELECT repository, sha, parents, message, authored_at, event_id FROM jsonb_populate_recordset(NULL::commits,
        ${jsonParam(commits)}::jsonb)
      ON CONFLICT (repository, sha) DO UPDATE SET
        parents = CASE WHEN cardinality(commits.parents) = 0 THEN EXCLUDED.parents ELSE commits.parents END,
        message = COALESCE(commits.message, EXCLUDED.message),
        authored_at = COALESCE(commits.authored_at, EXCLUDED.authored_at)),
    on_branch AS (
      INSERT INTO branch_commits (repository, branch, sha, event_ids)
      SELECT ${repo}, ${push.branch}, sha, ARRAY[${eventId}]::uuid[] FROM unnest(${shas}::text[]) AS sha
      WHERE ${push.branch}::text IS NOT NULL
      ON CONFLICT (repository, branch, sha) DO UPDATE
        SET event_ids = ARRAY(SELECT DISTINCT e
          FROM unnest(branch_commits.event_ids || EXCLUDED.event_ids) e ORDER BY e)
        WHERE NOT branch_commits.event_ids @> EXCLUDED.event_ids)
    SELECT 'pr' AS kind, pr.key,
           -- Every event that carried the PR, as when they arrive after the push
           -- (contract §5: evidence is order-independent).
           ARRAY(${prEvents(Prisma.sql`pr.key`)}) AS "eventIds"
    FROM pull_requests pr
    WHERE ${branchJoin} AND pr.repository = ${repo} AND pr.head_ref = ${push.branch} AND pr.base_ref IS DISTINCT
      FROM ${push.branch}
    UNION ALL
    SELECT 'deploy', key, NULL FROM deploys
    WHERE repository = ${repo} AND status = 'succeeded' AND (range_frontier && ${shas}::text[] OR sha = ANY(${shas}))`;
  const contains = {
    relation: "contains",
    rule: "pr-branch-push",
    confidence: BUILTIN_RULES["pr-branch-push"].confidence,
  };
  for (const r of rows) {
    if (r.kind === "deploy") p.deploys.add(r.key);
    else
      for (const sha of shas)
        link(p, { ...contains, from: r.key, to: commitKey(repo, sha) }, [...r.eventIds!, eventId]);
  }
}

async function applyDeploy(tx: Tx, p: Pending, d: DeployFact, eventId: string) {
  const terminal = ["succeeded", "failed", "cancelled", "inactive"].includes(d.status);
  const finishedAt = d.finishedAt ?? (terminal ? d.statusAt : null);
  // One round trip: the upsert runs as a CTE whose RETURNING row (the deploy as it is now) drives
  // the other reads: deploys whose range may change with this one, and mentions of its URL.
  const rows = await tx.query<Array<{ kind: "dependent" | "mention" } & MentionRow>>`
    WITH d AS (
      INSERT INTO deploys (key, repository, service, environment, sha, status, url, started_at, finished_at, at,
        status_at, event_ids)
      VALUES (${d.key}, ${d.repository}, ${d.service}, ${d.environment}, ${d.sha}, ${d.status}, ${d.url},
        ${d.startedAt}, ${finishedAt},
              ${finishedAt ?? d.statusAt}, ${d.statusAt}, ARRAY[${eventId}]::uuid[])
      ON CONFLICT (key) DO UPDATE SET
        status = CASE WHEN EXCLUDED.status_at >= deploys.status_at THEN EXCLUDED.status ELSE deploys.status END,
        url = COALESCE(EXCLUDED.url, deploys.url),
        started_at = LEAST(deploys.started_at, EXCLUDED.started_at),
        finished_at = CASE WHEN EXCLUDED.status_at >= deploys.status_at THEN COALESCE(EXCLUDED.finished_at,
          deploys.finished_at) ELSE deploys.finished_at END,
        at = CASE WHEN EXCLUDED.status_at >= deploys.status_at THEN EXCLUDED.at ELSE deploys.at END,
        status_at = GREATEST(deploys.status_at, EXCLUDED.status_at),
        event_ids = ARRAY(SELECT DISTINCT e FROM unnest(deploys.event_ids || EXCLUDED.event_ids) e ORDER BY e)
      RETURNING key, repository, service, environment, sha, at)
    SELECT 'dependent' AS kind, k AS "fromKey", NULL AS relation, NULL AS rule, NULL::float8 AS confidence,
      NULL::uuid AS "eventId", NULL AS target
    FROM d, LATERAL (${dependentDeploys}) AS dep(k)
    UNION ALL
    SELECT 'mention', from_key, relation, rule, confidence, event_id, target FROM mentions
    WHERE ${d.url}::text IS NOT NULL AND kind = 'url' AND target = ${d.url}`;
  p.deploys.add(d.key);
  for (const r of rows) if (r.kind === "dependent") p.deploys.add(r.fromKey);
  const unwritten = d.url ? p.mentions.filter((m) => m.kind === "url" && m.target === d.url) : [];
  resolveMentions(p, [...rows.filter((r) => r.kind === "mention"), ...unwritten], () => d.key);
}

/**
 * Writes events' facts into the graph, inside their transaction: entities (all in one statement),
 * direct links, mentions (linked now if their target is known, else when it appears), PR/commit/deploy facts and their
 * joins; then recomputes, once, every deploy whose range the new facts may change. The scopes of
 * the whole batch are locked first, in one global order, so concurrent batches cannot deadlock.
 */
export async function applyFacts(
  tx: Tx,
  items: Array<{ eventId: string; at: Date; facts: Facts }>,
  enabled: (rule: string) => boolean,
): Promise<GraphChanges> {
  const scopes = items.flatMap((i) => i.facts.scopes);
  const shared = items.flatMap((i) => i.facts.sharedScopes);
  const known = await knownScopes(tx, [...scopes, ...shared]);
  await lockScopes(
    tx,
    scopes.filter((s) => !known.has(s)),
    shared.filter((s) => !known.has(s)),
  );
  // Teams known before the locks stay known (none is ever removed); the others are read again once
  // the locks are held: one first seen by a concurrent batch is committed by now.
  const teams = [...new Set([...scopes, ...shared].map((s) => scopeValue(s, "team")).filter((t) => t !== null))];
  const unknown = teams.filter((t) => !known.has(scope("team", t)));
  const seen = unknown.length
    ? await tx.query<Array<{ key: string }>>`SELECT key FROM linear_teams WHERE key = ANY(${unknown})`
    : [];
  const knownTeams = [...teams.filter((t) => known.has(scope("team", t))), ...seen.map((t) => t.key)];
  // Shared by the batch: a deploy's recompute reads only stored facts, so one at the end sees them all.
  const p: Pending = { links: [], mentions: [], deploys: new Set(), teams: new Set(knownTeams) };
  for (const { eventId, at, facts } of items) {
    await applyLinear(tx, p, facts, at);
    if (facts.pullRequest) await applyPullRequest(tx, p, facts.pullRequest, eventId, enabled);
    if (facts.push) await applyPush(tx, p, facts.push, eventId, enabled);
    if (facts.deploy) await applyDeploy(tx, p, facts.deploy, eventId);
    if (facts.incident) await applyIncident(tx, facts.incident, eventId);
    if (facts.issueLabels) await applyIssueLabels(tx, facts.issueLabels);
    for (const l of facts.links) link(p, l, [eventId]);
    await applyMentions(tx, p, eventId, facts);
  }
  // The repositories whose deploys a new link may change: locked before the batch writes the rows
  // it shares with other batches (entities, mentions, links), so no lock is awaited holding them.
  await lockScopes(
    tx,
    repositoriesOf(rangeEndpoints(p.links.map((w) => w.link))).map((r) => scope("repo", r)),
  );
  await upsertEntities(
    tx,
    items.map(({ at, facts }) => ({ entities: facts.entities, at })),
  );
  await writeMentions(tx, p);
  const created = await upsertLinks(tx, p.links);
  // What the batch made known is told in its own transaction (contract §9: an outbox).
  await writeMilestones(tx, [...linkMilestones(created), ...(await recomputeAffected(tx, p, created))]);
  return {
    deploys: [...p.deploys],
    reverted: created.filter((l) => l.relation === "reverts").map((l) => l.to),
  };
}

/** What a batch changed that an incident's suspects read: deploys written or recomputed, keys newly reverted. */
export interface GraphChanges {
  deploys: string[];
  reverted: string[];
}

/**
 * What a new range-input link changes the shipping of: the commit a PR comes to contain (a deploy
 * shipping it now ships the PR) and the PR or commit that closes or references an issue (a deploy
 * shipping it now ships the issue). Always commits or PRs, so always of a known repository.
 */
function rangeEndpoints(links: LinkFact[]): string[] {
  const keys = links.flatMap((l) =>
    l.relation === "contains" ? [l.to] : l.relation === "closes" || l.relation === "references" ? [l.from] : [],
  );
  return [...new Set(keys)];
}

const repositoriesOf = (keys: string[]) => [...new Set(keys.map(repositoryOf).filter((r): r is string => r !== null))];

/**
 * A Linear team or issue id only needs its lock until it is known: its first appearance is the one
 * moment a mention and its resolution can race. Known ones are left unlocked, so the many events
 * that mention a busy team do not queue behind each other.
 */
async function knownScopes(tx: Tx, scopes: string[]): Promise<Set<string>> {
  const teams = scopes.map((s) => scopeValue(s, "team")).filter((t) => t !== null);
  const ids = scopes.map((s) => scopeValue(s, "lid")).filter((t) => t !== null);
  const known = new Set<string>();
  if (teams.length)
    for (const r of await tx.query<Array<{ key: string }>>`SELECT key FROM linear_teams WHERE key = ANY(${teams})`)
      known.add(scope("team", r.key));
  if (ids.length)
    for (const r of await tx.query<Array<{ id: string }>>`SELECT id FROM linear_issues WHERE id = ANY(${ids})`)
      known.add(scope("lid", r.id));
  return known;
}

/**
 * Recomputes the deploys that ship an endpoint of a new range-input link, plus those queued. Only
 * new links count: more evidence for a link a deploy already read changes nothing it ships.
 */
async function recomputeAffected(tx: Tx, p: Pending, created: LinkFact[]): Promise<MilestoneDraft[]> {
  const touched = rangeEndpoints(created);
  if (touched.length) {
    // Their repositories are locked (applyFacts), so a concurrent deploy of theirs cannot miss these links.
    const shipping = await tx.query<Array<{ key: string }>>`
      SELECT DISTINCT from_key AS key FROM links WHERE relation = 'ships' AND to_key = ANY(${touched})`;
    for (const s of shipping) p.deploys.add(s.key);
  }
  return recomputeDeploys(tx, [...p.deploys]);
}
