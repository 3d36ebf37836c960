import Router from "@koa/router";
import type pg from "pg";
import { z } from "zod";
import { createRouter } from "../http/router.js";
import { badRequest } from "../http/respond.js";
import { computeLeadTime } from "../store/read/lead-time.js";
import { route } from "./openapi.js";
import { FIRST_DATE, isoDate, name, repository, sqlText, valid } from "./params.js";
import { LeadTimeReportSchema } from "./schemas/lead-time.js";
import { withScope } from "./scope.js";

const leadTimeQuery = z
  .object({
    repository: repository.optional().meta({ description: "one repository (or `group`)" }),
    group: sqlText(200).optional().meta({ description: "a group's repositories (or `repository`)" }),
    environment: name.optional().meta({ description: "one environment; without it, PRODUCTION_ENVIRONMENTS" }),
    since: isoDate.optional().meta({ description: "default: 30 days before until" }),
    until: isoDate.optional().meta({ description: "default: now" }),
  })
  .refine((q) => (q.repository === undefined) !== (q.group === undefined), {
    message: "give repository or group, one of them",
  });

const DEFAULT_WINDOW_MS = 30 * 86_400_000;

/** GET /api/metrics/lead-time: lead time in stages per PR, over a repository or a group (issue 16). */
export function leadTimeApi(pool: pg.Pool, production: string[]): Router {
  const router = createRouter();
  const doc = {
    summary: "Lead time in stages (coding, pickup, review, deploy) of the PRs merged in a window",
    query: leadTimeQuery,
    responses: {
      200: {
        description: "each stage's median and p90, overall and per repository, and each PR's stages",
        schema: LeadTimeReportSchema,
      },
      404: "no such group",
    },
  };
  route(router, "get", "/metrics/lead-time", doc, async (ctx) => {
    const q = valid(ctx, leadTimeQuery, ctx.query);
    if (!q) return;
    const until = q.until ?? new Date();
    // As DORA's window: 30 days back, but never before year 1, which PostgreSQL refuses.
    const since = q.since ?? new Date(Math.max(until.getTime() - DEFAULT_WINDOW_MS, FIRST_DATE.getTime()));
    if (since >= until) return badRequest(ctx, ["since: must be before until"]);
    const report = await withScope(ctx, () => computeLeadTime(pool, { ...q, production, since, until }));
    if (report) ctx.body = report;
  });
  return router;
}
