import Router from "@koa/router";
import { z } from "zod";
import { entityGraph } from "../../api/entity-graph.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { notFound } from "../respond.js";
import { entityKey, integer, limit, valid } from "./params.js";

const keyParams = z.object({ key: entityKey });
const depthQuery = z.object({
  depth: integer(0, 5).default(1),
  limit: limit(1000, 200),
});

/** GET /api/entities/:key (SPEC §6): the entity, its links (transitively with ?depth=N) and timeline. */
export function graphApi(prisma: PrismaClient): Router {
  const router = new Router();
  router.get("/entities/:key", async (ctx) => {
    const p = valid(ctx, keyParams, ctx.params);
    const q = p && valid(ctx, depthQuery, ctx.query);
    if (!p || !q) return;
    const graph = await entityGraph(prisma, p.key, q.depth, q.limit);
    if (!graph) return notFound(ctx, "entity");
    ctx.body = graph;
  });
  return router;
}
