import { z } from "zod";
import { pageOf, time } from "./common.js";

const count = z.number().int();

/** GET /api/queue: ingest job counts, and unprocessable deliveries by platform. */
export const QueueCountsSchema = z
  .strictObject({
    waiting: count,
    prioritized: count,
    active: count,
    delayed: count,
    failed: count,
    completed: count,
    unprocessable: z.record(z.string(), count),
  })
  .meta({ id: "QueueCounts" });

/** GET /api/queue/failed. */
export const FailedJobsSchema = z
  .strictObject({
    total: count,
    items: z.array(
      z.strictObject({
        id: z.string(),
        type: z.string(),
        platform: z.string(),
        deliveryId: z.string(),
        attemptsMade: count,
        failedReason: z.string(),
        failedAt: time.nullable(),
      }),
    ),
  })
  .meta({ id: "FailedJobs" });

/** POST /api/queue/failed/:id/retry. */
export const JobRetriedSchema = z.strictObject({ id: z.string(), retried: z.literal(true) }).meta({ id: "JobRetried" });

/** A raw delivery's status, derived from its row (contract §8). */
export const DELIVERY_STATUSES = ["pending", "stored", "unprocessable"] as const;

/** A stored raw delivery (contract §8). */
export const StoredDeliverySchema = z
  .strictObject({
    id: z.uuid(),
    platform: z.string(),
    deliveryId: z.string(),
    receivedAt: time,
    status: z.enum(DELIVERY_STATUSES),
    error: z.string().nullable().meta({ description: "why it is unprocessable" }),
  })
  .meta({ id: "StoredDelivery" });

export const StoredDeliveryPageSchema = pageOf(StoredDeliverySchema).meta({ id: "StoredDeliveryPage" });

/** POST /api/deliveries/:id/reprocess. */
export const ReprocessedSchema = z
  .strictObject({
    id: z.uuid(),
    status: z.enum(["stored", "unprocessable"]),
    error: z.string().nullable(),
  })
  .meta({ id: "Reprocessed" });
