import Router from "@koa/router";
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { kindOf } from "../../shared/keys.js";
import { badRequest } from "../respond.js";

const depthQuery = z.object({ depth: z.coerce.number().int().min(0).max(5).default(1), limit: z.coerce.number().int().min(1).max(1000).default(200) });

interface LinkRow {
  from: string;
  to: string;
  relation: string;
  rule: string;
  confidence: number;
  evidence: string[];
  createdAt: Date;
}

async function linksAround(prisma: PrismaClient, keys: string[]): Promise<LinkRow[]> {
  return prisma.$queryRaw<LinkRow[]>`
    SELECT from_key AS "from", to_key AS "to", relation, rule, confidence, evidence, created_at AS "createdAt"
    FROM links WHERE from_key = ANY(${keys}) OR to_key = ANY(${keys})
    ORDER BY from_key, to_key, relation, rule`;
}

/** When each descriptive field was set: how entities merge (store/graph/entities.ts), not part of the answer. */
const MERGE_BOOKKEEPING = { titleAt: true, stateAt: true, urlAt: true } as const;

/** GET /api/entities/:key (SPEC §6): the entity, its links (transitively with ?depth=N) and timeline. */
export function graphApi(prisma: PrismaClient): Router {
  const router = new Router();
  router.get("/entities/:key", async (ctx) => {
    const q = depthQuery.safeParse(ctx.query);
    if (!q.success) return badRequest(ctx, q.error);
    const key = ctx.params.key!;
    const entity = await prisma.entity.findUnique({ where: { key }, omit: MERGE_BOOKKEEPING });
    // Follow links breadth-first, both directions, up to `depth` hops.
    const seen = new Set([key]);
    const links = new Map<string, LinkRow>();
    let frontier = [key];
    for (let hop = 0; hop < q.data.depth && frontier.length; hop++) {
      const found = await linksAround(prisma, frontier);
      frontier = [];
      for (const l of found) {
        links.set(`${l.from}|${l.to}|${l.relation}|${l.rule}`, l);
        for (const k of [l.from, l.to]) if (!seen.has(k)) (seen.add(k), frontier.push(k));
      }
    }
    const timeline = await prisma.$queryRaw<unknown[]>`
      SELECT id, platform, type, occurred_at AS "occurredAt", actor, subject, priority
      FROM events WHERE keys @> ARRAY[${key}]::text[] ORDER BY occurred_at, id LIMIT ${q.data.limit}`;
    if (!entity && links.size === 0 && timeline.length === 0) {
      ctx.status = 404;
      ctx.body = { error: "no such entity" };
      return;
    }
    const related = await prisma.entity.findMany({ where: { key: { in: [...seen].filter((k) => k !== key) } }, orderBy: { key: "asc" }, omit: MERGE_BOOKKEEPING });
    ctx.body = {
      entity: entity ?? { key, kind: kindOf(key), title: null, state: null, url: null },
      links: [...links.values()],
      timeline,
      related,
    };
  });
  return router;
}
