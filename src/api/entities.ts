import Router from "@koa/router";
import { createRouter } from "../http/router.js";
import { z } from "zod";
import { entityGraph } from "../store/read/entity-graph.js";
import type pg from "pg";
import { route } from "./openapi.js";
import { EntityGraphSchema } from "./schemas/graph.js";
import { notFound } from "../http/respond.js";
import { entityKey, integer, limit, valid } from "./params.js";

const keyParams = z.object({ key: entityKey.meta({ description: "entity key (contract §4), URL-encoded" }) });
const depthQuery = z.object({
  depth: integer(0, 5).default(1).meta({ description: "hops of links to follow" }),
  limit: limit(1000, 200).meta({ description: "most timeline events" }),
});

/** GET /api/entities/:key (contract §6): the entity, its links (transitively with ?depth=N) and timeline. */
export function graphApi(pool: pg.Pool): Router {
  const router = createRouter();
  const doc = {
    summary: "An entity, its links (transitively with depth) and its timeline",
    params: keyParams,
    query: depthQuery,
    responses: {
      200: { description: "the entity, its links, timeline and related entities", schema: EntityGraphSchema },
      404: "nothing is known of the key",
    },
  };
  route(router, "get", "/entities/:key", doc, async (ctx) => {
    const p = valid(ctx, keyParams, ctx.params);
    const q = p && valid(ctx, depthQuery, ctx.query);
    if (!p || !q) return;
    const graph = await entityGraph(pool, p.key, q.depth, q.limit);
    if (!graph) return notFound(ctx, "entity");
    ctx.body = graph;
  });
  return router;
}
