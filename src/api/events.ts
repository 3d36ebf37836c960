import Router from "@koa/router";
import { createRouter } from "../http/router.js";
import { z } from "zod";
import { getEvent, listEvents } from "../store/read/events.js";
import type pg from "pg";
import { PLATFORMS } from "../shared/event.js";
import { route } from "./openapi.js";
import { EventDetailSchema, EventPageSchema } from "./schemas/events.js";
import { notFound } from "../http/respond.js";
import { entityKey, eventCursor, isoDate, limit, typeGlob, uuid, valid } from "./params.js";

const listQuery = z.object({
  platform: z.enum(PLATFORMS).optional(),
  type: typeGlob.optional().meta({ description: "event type, globs allowed (`github.pull_request.*`)" }),
  subject: entityKey.optional().meta({ description: "entity key the events are about" }),
  since: isoDate.optional().meta({ description: "occurred at or after" }),
  until: isoDate.optional().meta({ description: "occurred before" }),
  limit: limit(500, 50),
  cursor: eventCursor.optional().meta({ description: "`next` of the previous page" }),
});

const idParams = z.object({ id: uuid });

/** GET /api/events and /api/events/:id (contract §6). */
export function eventsApi(pool: pg.Pool): Router {
  const router = createRouter();

  const list = {
    summary: "Events, newest first",
    query: listQuery,
    responses: { 200: { description: "a page of events", schema: EventPageSchema } },
  };
  route(router, "get", "/events", list, async (ctx) => {
    const q = valid(ctx, listQuery, ctx.query);
    if (!q) return;
    ctx.body = await listEvents(pool, { ...q, cursor: q.cursor ?? null });
  });

  const one = {
    summary: "One event with its platform rows and raw delivery",
    params: idParams,
    responses: {
      200: { description: "the event; raw without signature or credential headers", schema: EventDetailSchema },
      404: "no such event",
    },
  };
  route(router, "get", "/events/:id", one, async (ctx) => {
    const p = valid(ctx, idParams, ctx.params);
    if (!p) return;
    const found = await getEvent(pool, p.id);
    if (!found) return notFound(ctx, "event");
    ctx.body = found;
  });

  return router;
}
