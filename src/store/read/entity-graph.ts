import type pg from "pg";
import { Prisma } from "../../generated/prisma/client.js";
import { kindOf } from "../../shared/keys.js";
import { linkId } from "../../correlate/facts.js";
import { onConnection, type Sql } from "../sql.js";
import type { z } from "zod";
import type { EntityGraphSchema, EntitySchema, LinkSchema, TimelineEventSchema } from "../../api/schemas/graph.js";
import { dateOf, epochMs } from "./sql-parts.js";

/** As the API answers them (api/schemas/graph.ts); `Timed`, as PostgreSQL's JSON hands them over. */
type LinkRow = z.output<typeof LinkSchema>;
type EntityRow = z.output<typeof EntitySchema> & { firstSeenAt: Date; lastSeenAt: Date };
type TimelineRow = z.output<typeof TimelineEventSchema>;

type Timed<T, K extends keyof T> = Omit<T, K> & Record<K, number>;
type EntityJson = Timed<EntityRow, "firstSeenAt" | "lastSeenAt">;
type LinkJson = Timed<LinkRow, "createdAt">;

/** The merge times (title_at, …) are how entities merge (store/graph/entities.ts), not part of the answer. */
const ENTITY = Prisma.sql`json_build_object('key', e.key, 'kind', e.kind, 'title', e.title, 'state', e.state,
  'url', e.url, 'firstSeenAt', ${epochMs("e.first_seen_at")}, 'lastSeenAt', ${epochMs("e.last_seen_at")})`;
const LINK = Prisma.sql`json_build_object('from', l.from_key, 'to', l.to_key, 'relation', l.relation, 'rule', l.rule,
  'confidence', l.confidence, 'evidence', l.evidence, 'createdAt', ${epochMs("l.created_at")})`;
const LINK_ORDER = Prisma.raw("ORDER BY l.from_key, l.to_key, l.relation, l.rule");

const entityOf = (e: EntityJson): EntityRow => ({
  ...e,
  firstSeenAt: dateOf(e.firstSeenAt),
  lastSeenAt: dateOf(e.lastSeenAt),
});
const linkOf = (l: LinkJson): LinkRow => ({ ...l, createdAt: dateOf(l.createdAt) });

const entities = async (sql: Sql, keys: string[]) => {
  const [row] = await sql.query<Array<{ related: EntityJson[] | null }>>`
    SELECT json_agg(${ENTITY} ORDER BY e.key) AS related FROM entities e WHERE e.key = ANY(${keys})`;
  return row!.related ?? [];
};

const linksAround = async (sql: Sql, keys: string[]) => {
  const [row] = await sql.query<Array<{ links: LinkJson[] | null }>>`
    SELECT json_agg(${LINK} ${LINK_ORDER}) AS links FROM links l
    WHERE l.from_key = ANY(${keys}) OR l.to_key = ANY(${keys})`;
  return row!.links ?? [];
};

type TimelineJson = Timed<TimelineRow, "occurredAt">;

interface FirstRow {
  entity: EntityJson | null;
  links: LinkJson[] | null;
  timeline: TimelineJson[] | null;
  related: EntityJson[] | null;
}

/**
 * The reads behind `GET /api/entities/:key`, as PostgreSQL's JSON hands them over. The entity,
 * its first hop of links, its timeline and the entities at the first hop's ends come in one
 * statement (one plan, one round trip; prepared once per connection); each further hop is one
 * more, and beyond one hop the entities at every end seen are read once at the end.
 */
export function readEntityGraph(pool: pg.Pool, key: string, depth: number, limit: number) {
  return onConnection(pool, async (sql) => {
    const [first] = await sql.query<FirstRow[]>`
      WITH l AS MATERIALIZED (SELECT * FROM links WHERE ${depth}::int >= 1 AND (from_key = ${key} OR to_key = ${key}))
      SELECT
        (SELECT ${ENTITY} FROM entities e WHERE e.key = ${key}) AS entity,
        (SELECT json_agg(${LINK} ${LINK_ORDER}) FROM l) AS links,
        (SELECT json_agg(json_build_object('id', t.id, 'platform', t.platform, 'type', t.type,
           'occurredAt', ${epochMs("t.occurred_at")}, 'actor', t.actor, 'subject', t.subject, 'priority', t.priority)
           ORDER BY t.occurred_at, t.id)
         FROM (SELECT * FROM events WHERE keys @> ARRAY[${key}]::text[]
           ORDER BY occurred_at, id LIMIT ${limit}) t) AS timeline,
        (SELECT json_agg(${ENTITY} ORDER BY e.key) FROM entities e
         WHERE e.key IN (SELECT from_key FROM l UNION SELECT to_key FROM l) AND e.key <> ${key}) AS related`;
    // Breadth-first in both directions; a link found again keeps its first place.
    const seen = new Set([key]);
    const links = new Map<string, LinkJson>();
    const add = (found: LinkJson[]) => {
      const next: string[] = [];
      for (const l of found) {
        links.set(linkId(l), l);
        for (const k of [l.from, l.to]) {
          if (seen.has(k)) continue;
          seen.add(k);
          next.push(k);
        }
      }
      return next;
    };
    let frontier = add(first!.links ?? []);
    for (let hop = 1; hop < depth && frontier.length; hop++) frontier = add(await linksAround(sql, frontier));
    return {
      entity: first!.entity,
      links: [...links.values()],
      timeline: first!.timeline ?? [],
      related:
        depth > 1
          ? await entities(
              sql,
              [...seen].filter((k) => k !== key),
            )
          : (first!.related ?? []),
    };
  });
}

/**
 * `GET /api/entities/:key` (contract §6): the entity, its links followed breadth-first in both
 * directions up to `depth` hops, its timeline, and the entities at the other ends. Null if
 * nothing at all is known of the key.
 */
export async function entityGraph(
  pool: pg.Pool,
  key: string,
  depth: number,
  limit: number,
): Promise<z.output<typeof EntityGraphSchema> | null> {
  const read = await readEntityGraph(pool, key, depth, limit);
  if (!read.entity && read.links.length === 0 && read.timeline.length === 0) return null;
  return {
    entity: read.entity ? entityOf(read.entity) : { key, kind: kindOf(key), title: null, state: null, url: null },
    links: read.links.map(linkOf),
    timeline: read.timeline.map((e) => ({ ...e, occurredAt: dateOf(e.occurredAt) })),
    related: read.related.map(entityOf),
  };
}
