import type Router from "@koa/router";
import type pg from "pg";
import { z } from "zod";
import { createRouter } from "../http/router.js";
import { notFound } from "../http/respond.js";
import { incidentDetail, listIncidents } from "../store/read/incidents.js";
import { route } from "./openapi.js";
import { entityKey, isoDate, limit, name, offset, repository, valid } from "./params.js";
import { IncidentDetailSchema, IncidentListSchema } from "./schemas/incidents.js";

const listQuery = z.object({
  status: z.enum(["open", "acknowledged", "resolved"]).optional(),
  source: z.enum(["pagerduty", "sentry", "github", "linear"]).optional(),
  service: name.optional().meta({ description: "the affected service, case-insensitive" }),
  repository: repository.optional(),
  since: isoDate.optional().meta({ description: "opened at or after" }),
  until: isoDate.optional().meta({ description: "opened before" }),
  limit: limit(500, 50),
  offset,
});
const keyParams = z.object({
  key: entityKey.meta({ description: "incident key (`incident:pagerduty:<id>`), URL-encoded" }),
});

/** GET /api/incidents and /api/incidents/:key (docs/incidents.md). */
export function incidentsApi(pool: pg.Pool, o: { windowMs: number; production: string[] }): Router {
  const router = createRouter();
  const list = {
    summary: "Incidents, the latest opened first, each with its most likely cause",
    query: listQuery,
    responses: { 200: { description: "incidents", schema: IncidentListSchema } },
  };
  route(router, "get", "/incidents", list, async (ctx) => {
    const q = valid(ctx, listQuery, ctx.query);
    if (!q) return;
    ctx.body = await listIncidents(pool, q);
  });
  const one = {
    summary: "One incident with its suspect deploys, ranked by evidence",
    params: keyParams,
    responses: {
      200: {
        description: "the incident and its suspects, best first, with their reasons",
        schema: IncidentDetailSchema,
      },
      404: "no such incident",
    },
  };
  route(router, "get", "/incidents/:key", one, async (ctx) => {
    const p = valid(ctx, keyParams, ctx.params);
    if (!p) return;
    const found = await incidentDetail(pool, p.key, o);
    if (!found) return notFound(ctx, "incident");
    ctx.body = found;
  });
  return router;
}
