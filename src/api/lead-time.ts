import Router from "@koa/router";
import type pg from "pg";
import { z } from "zod";
import { createRouter } from "../http/router.js";
import { computeLeadTime } from "../store/read/lead-time.js";
import { route } from "./openapi.js";
import { valid } from "./params.js";
import { LeadTimeReportSchema } from "./schemas/lead-time.js";
import { metricsQuery, windowOf, withScope } from "./scope.js";

const leadTimeQuery = z.object(metricsQuery).refine((q) => (q.repository === undefined) !== (q.group === undefined), {
  message: "give repository or group, one of them",
});

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
    const window = windowOf(ctx, q);
    if (!window) return;
    const report = await withScope(ctx, () => computeLeadTime(pool, { ...q, production, ...window }));
    if (report) ctx.body = report;
  });
  return router;
}
