import Router from "@koa/router";
import { createRouter } from "../http/router.js";
import { z } from "zod";
import type { IngestQueue } from "../queue/ingest/queue.js";
import { withinDeadline } from "../http/deadline.js";
import { route } from "./openapi.js";
import { FailedJobsSchema, JobRetriedSchema, QueueCountsSchema } from "./schemas/queue.js";
import { notFound } from "../http/respond.js";
import { jobId, limit, offset, valid } from "./params.js";

const page = z.object({ limit: limit(500, 50), offset });
const idParams = z.object({ id: jobId });

/**
 * GET /api/queue (job counts, unprocessable deliveries by platform) and /api/queue/failed (failed
 * jobs, kept until retried). Redis calls answer 503 after a deadline (BullMQ would wait for good).
 */
export function queueApi(
  { depth, failed, getJob }: Pick<IngestQueue, "depth" | "failed" | "getJob">,
  unprocessable: () => Promise<Record<string, number>>,
): Router {
  const router = createRouter();
  const countsDoc = {
    summary: "Ingest job counts, and unprocessable deliveries by platform",
    responses: {
      200: { description: "job counts by state; unprocessable deliveries by platform", schema: QueueCountsSchema },
    },
  };
  route(router, "get", "/queue", countsDoc, async (ctx) => {
    const [counts, kept] = await Promise.all([withinDeadline(depth()), unprocessable()]);
    ctx.body = { ...counts, unprocessable: kept };
  });
  const failedDoc = {
    summary: "Failed ingest jobs, kept until retried",
    query: page,
    responses: {
      200: { description: "a page of failed jobs, and how many there are", schema: FailedJobsSchema },
    },
  };
  route(router, "get", "/queue/failed", failedDoc, async (ctx) => {
    const q = valid(ctx, page, ctx.query);
    if (!q) return;
    const { jobs, total } = await withinDeadline(failed(q.offset, q.limit));
    ctx.body = {
      total,
      items: jobs.map((j) => ({
        id: j.id,
        type: j.data.type,
        platform: j.data.platform,
        deliveryId: j.data.deliveryId,
        attemptsMade: j.attemptsMade,
        failedReason: j.failedReason,
        failedAt: j.finishedOn ? new Date(j.finishedOn) : null,
      })),
    };
  });
  const retryDoc = {
    summary: "Retry a failed ingest job",
    params: idParams,
    scope: "admin" as const, // operates the service's queue
    responses: { 202: { description: "queued again", schema: JobRetriedSchema }, 404: "no such failed job" },
  };
  route(router, "post", "/queue/failed/:id/retry", retryDoc, async (ctx) => {
    const p = valid(ctx, idParams, ctx.params);
    if (!p) return;
    const job = await withinDeadline(
      (async () => {
        const job = await getJob(p.id);
        if (!job || !(await job.isFailed())) return null;
        await job.retry("failed");
        return job;
      })(),
    );
    if (!job) return notFound(ctx, "failed job");
    ctx.status = 202;
    ctx.body = { id: job.id, retried: true };
  });
  return router;
}
