import Router from "@koa/router";
import { createRouter } from "../http/router.js";
import { z } from "zod";
import type { RuleBook } from "../pipeline/rule-book.js";
import { replayDeliveries } from "../pipeline/replay.js";
import { PLATFORMS } from "../shared/event.js";
import { listDeliveries } from "../store/read/deliveries.js";
import type { Database } from "../store/prisma.js";
import { pageOf } from "../store/read/cursor.js";
import { route } from "./openapi.js";
import { DELIVERY_STATUSES, ReprocessedSchema, StoredDeliveryPageSchema } from "./schemas/queue.js";
import { notFound } from "../http/respond.js";
import { limit, uuid, valid } from "./params.js";

const listQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  platform: z.enum(PLATFORMS).optional(),
  limit: limit(500, 50),
  /** The last id of the previous page (ids are UUIDv7: newest first is id order). */
  cursor: uuid.optional().meta({ description: "`next` of the previous page" }),
});

const idParams = z.object({ id: uuid });

/** GET /api/deliveries and POST /api/deliveries/:id/reprocess (contract §8). */
export function deliveriesApi(db: Database, rules: RuleBook): Router {
  const router = createRouter();

  const listDoc = {
    summary: "Stored raw deliveries, newest first (contract §8)",
    query: listQuery,
    responses: { 200: { description: "a page of stored deliveries", schema: StoredDeliveryPageSchema } },
  };
  route(router, "get", "/deliveries", listDoc, async (ctx) => {
    const q = valid(ctx, listQuery, ctx.query);
    if (!q) return;
    const rows = await listDeliveries(db.pool, { ...q, before: q.cursor, limit: q.limit + 1 });
    ctx.body = pageOf(rows, q.limit, (last) => last.id);
  });

  const reprocessDoc = {
    summary: "Re-run one delivery with the current code",
    params: idParams,
    responses: { 200: { description: "how the delivery fared", schema: ReprocessedSchema }, 404: "no such delivery" },
  };
  route(router, "post", "/deliveries/:id/reprocess", reprocessDoc, async (ctx) => {
    const p = valid(ctx, idParams, ctx.params);
    if (!p) return;
    const result = await replayDeliveries(db, await rules.current(), { ids: [p.id] });
    if (!result.replayed) return notFound(ctx, "delivery");
    const [failed] = result.unprocessable;
    ctx.body = { id: p.id, status: failed ? "unprocessable" : "stored", error: failed?.error ?? null };
  });

  return router;
}
