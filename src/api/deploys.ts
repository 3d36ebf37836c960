import Router from "@koa/router";
import { createRouter } from "../http/router.js";
import { z } from "zod";
import type pg from "pg";
import { deployChanges } from "../store/read/deploy-changes.js";
import { computeDora } from "../store/read/dora.js";
import { route } from "./openapi.js";
import { BUCKETS, DeployChangesSchema, DoraReportSchema } from "./schemas/deploys.js";
import { badRequest, notFound } from "../http/respond.js";
import { metricsQuery, scopeOf, windowOf } from "./scope.js";
import { entityKey, valid } from "./params.js";

const keyParams = z.object({ key: entityKey.meta({ description: "deploy key (`deploy:generic:<id>`), URL-encoded" }) });
const doraQuery = z.object({
  ...metricsQuery,
  bucket: z.enum(BUCKETS).optional().meta({ description: "adds `series`, the figures per bucket" }),
});

/** GET /api/deploys/:key/changes and /api/metrics/dora (contract §6). */
export function deploysApi(pool: pg.Pool, o: { production: string[]; bugLabels: string[] }): Router {
  const router = createRouter();
  const changesDoc = {
    summary: "What a deploy shipped, and the deploy before it",
    params: keyParams,
    responses: {
      200: { description: "the deploy, the one before, what it shipped", schema: DeployChangesSchema },
      404: "no such deploy",
    },
  };
  route(router, "get", "/deploys/:key/changes", changesDoc, async (ctx) => {
    const p = valid(ctx, keyParams, ctx.params);
    if (!p) return;
    const changes = await deployChanges(pool, p.key);
    if (!changes) return notFound(ctx, "deploy");
    ctx.body = changes;
  });
  const doraDoc = {
    summary: "DORA's five metrics for a repository or a group",
    query: doraQuery,
    responses: {
      400: "neither or both of repository and group",
      404: "no such group",
      200: {
        description:
          "deployment frequency, lead time (median, p90), change failure rate, failed deployment recovery time, " +
          "deployment rework rate, DORA's 2023 bands, the deploys counted",
        schema: DoraReportSchema,
      },
    },
  };
  route(router, "get", "/metrics/dora", doraDoc, async (ctx) => {
    const q = valid(ctx, doraQuery, ctx.query);
    if (!q) return;
    const window = windowOf(ctx, q);
    if (!window) return;
    if (!q.repository === !q.group) return badRequest(ctx, ["repository, group: name exactly one"]);
    const scope = await scopeOf(ctx, pool, { repository: q.repository, group: q.group });
    if (!scope) return; // 404 answered: no such group
    ctx.body = await computeDora(pool, {
      ...q,
      // A group's deploys: those of the repositories its globs name, and of its services wherever they are.
      repositories: scope.named,
      services: scope.services,
      production: o.production,
      bugLabels: o.bugLabels,
      ...window,
    });
  });
  return router;
}
