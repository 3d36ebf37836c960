import type { EntityFact } from "../../correlate/facts.js";
import { jsonParam, type Sql as Tx } from "../sql.js";

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
  type Row = { key: string; kind: string; first: number; last: number } & Record<Described, string | null> &
    Record<`${Described}At`, number | null>;
  const rows = new Map<string, Row>();
  for (const { entities, at } of items) {
    const t = at.getTime();
    for (const e of entities) {
      const row = rows.get(e.key) ?? {
        key: e.key,
        kind: e.kind,
        first: t,
        last: t,
        title: null,
        titleAt: null,
        state: null,
        stateAt: null,
        url: null,
        urlAt: null,
      };
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
      key: r.key,
      kind: r.kind,
      first_seen_at: iso(r.first),
      last_seen_at: iso(r.last),
      title: r.title,
      title_at: iso(r.titleAt),
      state: r.state,
      state_at: iso(r.stateAt),
      url: r.url,
      url_at: iso(r.urlAt),
    }));
  // (x_at, x) > (entities.x_at, entities.x) is NULL when the batch has no x: the stored one stays.
  await tx.execute`
    INSERT INTO entities (key, kind, title, title_at, state, state_at, url, url_at, first_seen_at, last_seen_at)
    SELECT key, kind, title, title_at, state, state_at, url, url_at, first_seen_at, last_seen_at
    FROM jsonb_populate_recordset(NULL::entities, ${jsonParam(doc)}::jsonb)
    ON CONFLICT (key) DO UPDATE SET
      title = CASE WHEN entities.title_at IS NULL OR (EXCLUDED.title_at,
        EXCLUDED.title COLLATE "C") > (entities.title_at, entities.title COLLATE "C")
                   THEN COALESCE(EXCLUDED.title, entities.title) ELSE entities.title END,
      title_at = GREATEST(entities.title_at, EXCLUDED.title_at),
      state = CASE WHEN entities.state_at IS NULL OR (EXCLUDED.state_at,
        EXCLUDED.state COLLATE "C") > (entities.state_at, entities.state COLLATE "C")
                   THEN COALESCE(EXCLUDED.state, entities.state) ELSE entities.state END,
      state_at = GREATEST(entities.state_at, EXCLUDED.state_at),
      url = CASE WHEN entities.url_at IS NULL OR (EXCLUDED.url_at, EXCLUDED.url COLLATE "C") > (entities.url_at,
        entities.url COLLATE "C")
                 THEN COALESCE(EXCLUDED.url, entities.url) ELSE entities.url END,
      url_at = GREATEST(entities.url_at, EXCLUDED.url_at),
      first_seen_at = LEAST(entities.first_seen_at, EXCLUDED.first_seen_at),
      last_seen_at = GREATEST(entities.last_seen_at, EXCLUDED.last_seen_at)
    WHERE EXCLUDED.first_seen_at < entities.first_seen_at OR EXCLUDED.last_seen_at > entities.last_seen_at
       OR (EXCLUDED.title_at, EXCLUDED.title COLLATE "C") > (entities.title_at, entities.title COLLATE "C")
         OR (entities.title_at IS NULL AND EXCLUDED.title_at IS NOT NULL)
       OR (EXCLUDED.state_at, EXCLUDED.state COLLATE "C") > (entities.state_at, entities.state COLLATE "C")
         OR (entities.state_at IS NULL AND EXCLUDED.state_at IS NOT NULL)
       OR (EXCLUDED.url_at, EXCLUDED.url COLLATE "C") > (entities.url_at, entities.url COLLATE "C")
         OR (entities.url_at IS NULL AND EXCLUDED.url_at IS NOT NULL)`;
}
