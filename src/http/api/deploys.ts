import Router from "@koa/router";
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { deployChanges } from "../../api/deploy-changes.js";
import { computeDora } from "../../api/dora.js";
import { badRequest, notFound } from "../respond.js";
import { entityKey, FIRST_DATE, isoDate, name, repository, valid } from "./params.js";

const keyParams = z.object({ key: entityKey });
const doraQuery = z.object({
  repository,
  environment: name.optional(),
  since: isoDate.optional(),
  until: isoDate.optional(),
  bucket: z.enum(["day", "week", "month"]).optional(),
});

const DEFAULT_WINDOW_MS = 30 * 86_400_000;

/** GET /api/deploys/:key/changes and /api/metrics/dora (SPEC §6). */
export function deploysApi(prisma: PrismaClient, production: string[]): Router {
  const router = new Router();
  router.get("/deploys/:key/changes", async (ctx) => {
    const p = valid(ctx, keyParams, ctx.params);
    if (!p) return;
    const changes = await deployChanges(prisma, p.key);
    if (!changes) return notFound(ctx, "deploy");
    ctx.body = changes;
  });
  router.get("/metrics/dora", async (ctx) => {
    const q = valid(ctx, doraQuery, ctx.query);
    if (!q) return;
    const until = q.until ?? new Date();
    // 30 days back from an `until` in year 1 would be year 0, which PostgreSQL refuses: start at year 1.
    const since = q.since ?? new Date(Math.max(until.getTime() - DEFAULT_WINDOW_MS, FIRST_DATE.getTime()));
    if (since >= until) return badRequest(ctx, ["since: must be before until"]);
    ctx.body = await computeDora(prisma, { ...q, production, since, until });
  });
  return router;
}
