import Router from "@koa/router";
import { z } from "zod";
import type { IngestQueue } from "../../queue/ingest-queue.js";
import { badRequest, notFound } from "../respond.js";

const page = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) });

/** GET /api/queue (job counts) and /api/queue/failed (failed jobs, kept until retried). */
export function queueApi({ queue, depth }: Pick<IngestQueue, "queue" | "depth">): Router {
  const router = new Router();
  router.get("/queue", async (ctx) => {
    ctx.body = await depth();
  });
  router.get("/queue/failed", async (ctx) => {
    const q = page.safeParse(ctx.query);
    if (!q.success) return badRequest(ctx, q.error);
    const { limit, offset } = q.data;
    const jobs = await queue.getFailed(offset, offset + limit - 1);
    ctx.body = {
      total: await queue.getFailedCount(),
      items: jobs.map((j) => ({
        id: j.id,
        type: j.data.type,
        platform: j.data.platform,
        deliveryId: j.data.deliveryId,
        attemptsMade: j.attemptsMade,
        failedReason: j.failedReason,
        failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
      })),
    };
  });
  router.post("/queue/failed/:id/retry", async (ctx) => {
    const job = await queue.getJob(ctx.params.id!);
    if (!job || !(await job.isFailed())) return notFound(ctx, "failed job");
    await job.retry("failed");
    ctx.status = 202;
    ctx.body = { id: job.id, retried: true };
  });
  return router;
}
