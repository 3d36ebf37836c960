import Router from "@koa/router";
import { z } from "zod";
import { getEvent, listEvents } from "../../api/events.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { PLATFORMS } from "../../shared/event.js";
import { notFound } from "../respond.js";
import { entityKey, eventCursor, isoDate, limit, typeGlob, uuid, valid } from "./params.js";

const listQuery = z.object({
  platform: z.enum(PLATFORMS).optional(),
  type: typeGlob.optional(),
  subject: entityKey.optional(),
  since: isoDate.optional(),
  until: isoDate.optional(),
  limit: limit(500, 50),
  cursor: eventCursor.optional(),
});

const idParams = z.object({ id: uuid });

/** GET /api/events and /api/events/:id (SPEC §6). */
export function eventsApi(prisma: PrismaClient): Router {
  const router = new Router();

  router.get("/events", async (ctx) => {
    const q = valid(ctx, listQuery, ctx.query);
    if (!q) return;
    ctx.body = await listEvents(prisma, { ...q, cursor: q.cursor ?? null });
  });

  router.get("/events/:id", async (ctx) => {
    const p = valid(ctx, idParams, ctx.params);
    if (!p) return;
    const found = await getEvent(prisma, p.id);
    if (!found) return notFound(ctx, "event");
    ctx.body = found;
  });

  return router;
}
