import type { PrismaClient } from "../generated/prisma/client.js";
import { kindOf } from "../shared/keys.js";

interface LinkRow {
  from: string;
  to: string;
  relation: string;
  rule: string;
  confidence: number;
  evidence: string[];
  createdAt: Date;
}

interface EntityRow {
  key: string;
  kind: string;
  title: string | null;
  state: string | null;
  url: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** The merge times (title_at, …) are how entities merge (store/graph/entities.ts), not part of the answer. */
const entities = (prisma: PrismaClient, keys: string[]) => prisma.$queryRaw<EntityRow[]>`
  SELECT key, kind, title, state, url, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"
  FROM entities WHERE key = ANY(${keys}) ORDER BY key`;

const linksAround = (prisma: PrismaClient, keys: string[]) => prisma.$queryRaw<LinkRow[]>`
  SELECT from_key AS "from", to_key AS "to", relation, rule, confidence, evidence, created_at AS "createdAt"
  FROM links WHERE from_key = ANY(${keys}) OR to_key = ANY(${keys})
  ORDER BY from_key, to_key, relation, rule`;

/**
 * `GET /api/entities/:key` (SPEC §6): the entity, its links followed breadth-first in both
 * directions up to `depth` hops, its timeline, and the entities at the other ends. Null if
 * nothing at all is known of the key.
 */
export async function entityGraph(prisma: PrismaClient, key: string, depth: number, limit: number) {
  const [entity] = await entities(prisma, [key]);
  const seen = new Set([key]);
  const links = new Map<string, LinkRow>();
  let frontier = [key];
  for (let hop = 0; hop < depth && frontier.length; hop++) {
    const found = await linksAround(prisma, frontier);
    frontier = [];
    for (const l of found) {
      links.set(`${l.from}|${l.to}|${l.relation}|${l.rule}`, l);
      for (const k of [l.from, l.to]) {
        if (seen.has(k)) continue;
        seen.add(k);
        frontier.push(k);
      }
    }
  }
  const timeline = await prisma.$queryRaw<unknown[]>`
    SELECT id, platform, type, occurred_at AS "occurredAt", actor, subject, priority
    FROM events WHERE keys @> ARRAY[${key}]::text[] ORDER BY occurred_at, id LIMIT ${limit}`;
  if (!entity && links.size === 0 && timeline.length === 0) return null;
  return {
    entity: entity ?? { key, kind: kindOf(key), title: null, state: null, url: null },
    links: [...links.values()],
    timeline,
    related: await entities(
      prisma,
      [...seen].filter((k) => k !== key),
    ),
  };
}
