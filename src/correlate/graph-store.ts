import { jsonParam, type Sql } from "../store/sql.js";
import type { EntityFact, LinkFact } from "./facts.js";

export type Tx = Sql;

/** Lock order: teams, Linear issue ids, URLs, repositories; sorted within each. */
const SCOPE_ORDER = ["team:", "lid:", "url:", "repo:"];
const rank = (s: string) => SCOPE_ORDER.findIndex((p) => s.startsWith(p));
const byLockOrder = (a: string, b: string) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Serializes correlation per scope (a repository, a Linear team, …) until the transaction ends,
 * taking every scope in one global order. `shared` scopes are taken in shared mode: mentions of a
 * team (issue id, deploy URL) not seen yet do not exclude each other, only its first appearance,
 * which must see them all. A scope in both lists is taken exclusively.
 */
export async function lockScopes(tx: Tx, scopes: string[], shared: string[] = []): Promise<void> {
  const exclusive = new Set(scopes);
  for (const scope of [...new Set([...scopes, ...shared])].sort(byLockOrder)) {
    const mode = exclusive.has(scope) ? "exclusive" : "shared";
    const held = tx.locked.get(scope);
    if (held === "exclusive" || held === mode) continue;
    // Keyed by schema too: advisory locks are database-wide, and schemas (tests, tenants) are independent.
    if (mode === "exclusive") await tx.execute`SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || chr(31) || ${scope}, 0))`;
    else await tx.execute`SELECT pg_advisory_xact_lock_shared(hashtextextended(current_schema() || chr(31) || ${scope}, 0))`;
    tx.locked.set(scope, mode);
  }
}

type Described = "title" | "state" | "url";
const DESCRIBED: Described[] = ["title", "state", "url"];

/**
 * (at, value) ordering: the later value wins; at the same instant the greater, compared as UTF-8
 * bytes like the SQL below (`COLLATE "C"`), so batching never changes the winner.
 */
const later = (at: number, value: string, thanAt: number | null, than: string | null) =>
  thanAt === null || at > thanAt || (at === thanAt && Buffer.compare(Buffer.from(value), Buffer.from(than!)) > 0);

/**
 * Upserts the entities of a batch of events in one statement. Each descriptive field is a
 * last-writer-wins register keyed by the time of the event that carried it (`title_at`, …), so
 * the result is the same in any arrival order and merges like the database does.
 */
export async function upsertEntities(tx: Tx, items: Array<{ entities: EntityFact[]; at: Date }>): Promise<void> {
  type Row = { key: string; kind: string; first: number; last: number } & Record<Described, string | null> & Record<`${Described}At`, number | null>;
  const rows = new Map<string, Row>();
  for (const { entities, at } of items) {
    const t = at.getTime();
    for (const e of entities) {
      const row = rows.get(e.key) ?? { key: e.key, kind: e.kind, first: t, last: t, title: null, titleAt: null, state: null, stateAt: null, url: null, urlAt: null };
      row.first = Math.min(row.first, t);
      row.last = Math.max(row.last, t);
      for (const f of DESCRIBED) {
        const value = e[f];
        if (value != null && later(t, value, row[`${f}At`], row[f])) Object.assign(row, { [f]: value, [`${f}At`]: t });
      }
      rows.set(e.key, row);
    }
  }
  if (!rows.size) return;
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  // Sorted, so concurrent transactions lock shared rows (a repository's entity) in the same order.
  const doc = [...rows.values()]
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .map((r) => ({
      key: r.key, kind: r.kind, first_seen_at: iso(r.first), last_seen_at: iso(r.last),
      title: r.title, title_at: iso(r.titleAt), state: r.state, state_at: iso(r.stateAt), url: r.url, url_at: iso(r.urlAt),
    }));
  // (x_at, x) > (entities.x_at, entities.x) is NULL when the batch has no x: the stored one stays.
  await tx.execute`
    INSERT INTO entities (key, kind, title, title_at, state, state_at, url, url_at, first_seen_at, last_seen_at)
    SELECT key, kind, title, title_at, state, state_at, url, url_at, first_seen_at, last_seen_at
    FROM jsonb_populate_recordset(NULL::entities, ${jsonParam(doc)}::jsonb)
    ON CONFLICT (key) DO UPDATE SET
      title = CASE WHEN entities.title_at IS NULL OR (EXCLUDED.title_at, EXCLUDED.title COLLATE "C") > (entities.title_at, entities.title COLLATE "C")
                   THEN COALESCE(EXCLUDED.title, entities.title) ELSE entities.title END,
      title_at = GREATEST(entities.title_at, EXCLUDED.title_at),
      state = CASE WHEN entities.state_at IS NULL OR (EXCLUDED.state_at, EXCLUDED.state COLLATE "C") > (entities.state_at, entities.state COLLATE "C")
                   THEN COALESCE(EXCLUDED.state, entities.state) ELSE entities.state END,
      state_at = GREATEST(entities.state_at, EXCLUDED.state_at),
      url = CASE WHEN entities.url_at IS NULL OR (EXCLUDED.url_at, EXCLUDED.url COLLATE "C") > (entities.url_at, entities.url COLLATE "C")
                 THEN COALESCE(EXCLUDED.url, entities.url) ELSE entities.url END,
      url_at = GREATEST(entities.url_at, EXCLUDED.url_at),
      first_seen_at = LEAST(entities.first_seen_at, EXCLUDED.first_seen_at),
      last_seen_at = GREATEST(entities.last_seen_at, EXCLUDED.last_seen_at)
    WHERE EXCLUDED.first_seen_at < entities.first_seen_at OR EXCLUDED.last_seen_at > entities.last_seen_at
       OR (EXCLUDED.title_at, EXCLUDED.title COLLATE "C") > (entities.title_at, entities.title COLLATE "C") OR (entities.title_at IS NULL AND EXCLUDED.title_at IS NOT NULL)
       OR (EXCLUDED.state_at, EXCLUDED.state COLLATE "C") > (entities.state_at, entities.state COLLATE "C") OR (entities.state_at IS NULL AND EXCLUDED.state_at IS NOT NULL)
       OR (EXCLUDED.url_at, EXCLUDED.url COLLATE "C") > (entities.url_at, entities.url COLLATE "C") OR (entities.url_at IS NULL AND EXCLUDED.url_at IS NOT NULL)`;
}

export interface LinkWrite {
  link: LinkFact;
  evidence: string[];
}

const linkId = (l: LinkFact) => `${l.from}\u001f${l.to}\u001f${l.relation}\u001f${l.rule}`;

/** Links keyed by linkId as `links` rows: sorted, so concurrent batches lock shared links in one order, evidence sorted too. */
const linkRows = (byId: Map<string, LinkFact & { evidence: Iterable<string> }>) =>
  [...byId.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, l]) => ({ from_key: l.from, to_key: l.to, relation: l.relation, rule: l.rule, confidence: l.confidence, evidence: [...l.evidence].sort() }));

/**
 * One link per (from, to, relation, rule): further evidence joins the first instead of making
 * another link. Writes a batch's links in one statement, merged first (a statement may not
 * update a row twice). Evidence is kept sorted so the row is the same in any arrival order.
 * Returns the links that are new.
 */
export async function upsertLinks(tx: Tx, writes: LinkWrite[]): Promise<LinkFact[]> {
  const merged = new Map<string, LinkFact & { evidence: Set<string> }>();
  for (const { link: l, evidence } of writes) {
    const id = linkId(l);
    const row = merged.get(id) ?? { ...l, evidence: new Set<string>() };
    row.confidence = Math.max(row.confidence, l.confidence);
    for (const e of evidence) row.evidence.add(e);
    merged.set(id, row);
  }
  if (!merged.size) return [];
  // xmax = 0 marks a row this statement inserted (an updated one carries the updating transaction).
  const rows = await tx.query<Array<LinkFact & { created: boolean }>>`
    INSERT INTO links (from_key, to_key, relation, rule, confidence, evidence)
    SELECT from_key, to_key, relation, rule, confidence, evidence FROM jsonb_populate_recordset(NULL::links, ${jsonParam(linkRows(merged))}::jsonb)
    ON CONFLICT (from_key, to_key, relation, rule) DO UPDATE SET
      evidence = ARRAY(SELECT DISTINCT e FROM unnest(links.evidence || EXCLUDED.evidence) e ORDER BY e),
      confidence = GREATEST(links.confidence, EXCLUDED.confidence),
      updated_at = now()
    WHERE NOT (links.evidence @> EXCLUDED.evidence) OR EXCLUDED.confidence > links.confidence
    RETURNING from_key AS "from", to_key AS "to", relation, rule, confidence, xmax = 0 AS created`;
  return rows.filter((r) => r.created);
}

/** Replaces the links of `from` made by `rules` with exactly `links` (derived links, recomputed whole). */
export async function replaceLinks(tx: Tx, from: string, rules: string[], links: Array<LinkFact & { evidence: string[] }>): Promise<void> {
  const keep = links.map((l) => `${l.to}\u001f${l.relation}\u001f${l.rule}`);
  const rows = linkRows(new Map(links.map((l) => [linkId(l), l])));
  // One round trip: the DELETE runs as a data-modifying CTE; it and the upsert touch disjoint rows.
  await tx.execute`
    WITH gone AS (
      DELETE FROM links WHERE from_key = ${from} AND rule = ANY(${rules})
        AND (to_key || chr(31) || relation || chr(31) || rule) <> ALL(${keep}))
    INSERT INTO links (from_key, to_key, relation, rule, confidence, evidence)
    SELECT from_key, to_key, relation, rule, confidence, evidence FROM jsonb_populate_recordset(NULL::links, ${jsonParam(rows)}::jsonb)
    ON CONFLICT (from_key, to_key, relation, rule) DO UPDATE SET
      evidence = EXCLUDED.evidence, confidence = EXCLUDED.confidence, updated_at = now()
    WHERE links.evidence <> EXCLUDED.evidence OR links.confidence <> EXCLUDED.confidence`;
}

/** `github:pr:acme/web#7` / `github:commit:acme/web@sha` → `acme/web`. */
export function repositoryOf(key: string): string | null {
  const m = /^github:(?:pr|issue|commit|repo):([^#@]+)/.exec(key);
  return m ? m[1]! : null;
}
