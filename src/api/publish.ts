import type Router from "@koa/router";
import type { Context } from "koa";
import type pg from "pg";
import { createRouter } from "../http/router.js";
import { publishedDelivery } from "../platforms/custom/delivery.js";
import type { PublishedEvent } from "../platforms/custom/body.js";
import type { IngestQueue } from "../queue/ingest/queue.js";
import { storedDeliveries } from "../store/deliveries.js";
import { onConnection } from "../store/sql.js";
import { route } from "./openapi.js";
import { valid } from "./params.js";
import {
  MAX_BATCH,
  PublishBatchSchema,
  PublishedBatchSchema,
  PublishedEventSchema,
  PublishedSchema,
} from "./schemas/publish.js";

type Published = { id: string; duplicate: boolean };

/** Who published: the token's name when tokens are named (ctx.state.tokenName), else its short id. */
const publisherOf = (ctx: Context): string => String(ctx.state.tokenName ?? ctx.state.tokenId ?? "unknown");

/**
 * Publishes events as deliveries of platform `custom`, the way a receiver does: queued on the ingest
 * queue (the worker stores the raw delivery first, then the event), acknowledged once queued. A repeat
 * idempotency key is a duplicate: within the queue's deduplication window the queue says so, after it
 * the stored delivery does.
 */
export function publishApi(pool: pg.Pool, ingest: Pick<IngestQueue, "enqueue">): Router {
  const router = createRouter();

  async function publish(ctx: Context, events: PublishedEvent[]): Promise<Published[]> {
    const receivedAt = new Date();
    const deliveries = events.map((e) => publishedDelivery(e, publisherOf(ctx), receivedAt));
    const keyed = deliveries.filter((d) => d.deliveryId !== d.id).map((d) => d.deliveryId);
    const stored = await onConnection(pool, (sql) => storedDeliveries(sql, "custom", keyed));
    // Queued together: the ingest queue adds what one turn of the event loop brings in one round trip.
    return Promise.all(
      deliveries.map((d) => {
        const known = stored.get(d.deliveryId);
        return known ? { id: known, duplicate: true } : ingest.enqueue(d);
      }),
    );
  }

  const one = {
    summary: "Publish one event under custom.<source>.*",
    description:
      "Stored and correlated like a webhook delivery, then told to subscribers and the stream. " +
      "docs/outbound.md “Publishing events”.",
    body: PublishedEventSchema,
    scope: "publish" as const,
    responses: {
      202: { description: "queued: the event's id", schema: PublishedSchema },
      200: { description: "a repeat of a known idempotency key: the first event's id", schema: PublishedSchema },
    },
  };
  route(router, "post", "/events", one, async (ctx) => {
    const event = valid(ctx, PublishedEventSchema, ctx.request.body);
    if (!event) return;
    const [answer] = await publish(ctx, [event]);
    ctx.status = answer!.duplicate ? 200 : 202;
    ctx.body = answer;
  });

  const batch = {
    summary: `Publish up to ${MAX_BATCH} events at once`,
    description:
      "All or nothing at validation: one invalid event refuses the batch (400, each problem named by its " +
      "index, `events.3.type: …`) and nothing is queued. Each event is then answered in order.",
    body: PublishBatchSchema,
    scope: "publish" as const,
    responses: {
      202: { description: "queued: one answer per event, in order", schema: PublishedBatchSchema },
      200: { description: "every event repeated a known idempotency key", schema: PublishedBatchSchema },
    },
  };
  route(router, "post", "/events/batch", batch, async (ctx) => {
    const body = valid(ctx, PublishBatchSchema, ctx.request.body);
    if (!body) return;
    const items = await publish(ctx, body.events);
    const duplicates = items.filter((i) => i.duplicate).length;
    ctx.status = duplicates === items.length ? 200 : 202;
    ctx.body = { items, accepted: items.length - duplicates, duplicates };
  });

  return router;
}
