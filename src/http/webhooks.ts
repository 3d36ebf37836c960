import type { Middleware } from "koa";
import type { Metrics } from "../ops/metrics.js";
import type { Receiver } from "../platforms/platform.js";
import type { ReceiveLimits } from "../receive/limits.js";
import { receiveDelivery, type Enqueue } from "../receive/receive-delivery.js";
import { headerKeeper } from "../receive/kept-headers.js";
import type { WebhookPlatform } from "../shared/event.js";
import { Refused } from "../shared/errors.js";
import { RETRY_AFTER_SECONDS } from "./errors.js";
import { STATUS } from "./status.js";

export interface WebhookDeps {
  enqueue: Enqueue;
  metrics: Metrics;
  /** Per-platform limits (already within WEBHOOK_MAX_BYTES) and the in-flight budget every route shares. */
  limits: ReceiveLimits;
}

/** POST /webhooks/<platform>: 202 for a new delivery, 200 for a known one, a refusal's status otherwise. */
export function webhookRoute(receiver: Receiver | undefined, platform: WebhookPlatform, deps: WebhookDeps): Middleware {
  const { metrics, enqueue } = deps;
  const maxBytes = deps.limits.maxBytes[platform];
  const { inflight } = deps.limits;
  // Settled once per route, not per request.
  const keepHeaders = headerKeeper(receiver?.keepHeaders);
  const counted = {
    received: metrics.received.labels({ platform }),
    accepted: metrics.accepted.labels({ platform }),
    duplicates: metrics.duplicates.labels({ platform }),
  };
  return async (ctx) => {
    counted.received.inc();
    const holding = inflight.open();
    try {
      const received = await receiveDelivery(receiver, platform, ctx.req, { enqueue, maxBytes, holding, keepHeaders });
      if ("answer" in received) {
        ctx.status = received.answer.status;
        ctx.body = received.answer.body;
        return;
      }
      const { id, duplicate } = received;
      (duplicate ? counted.duplicates : counted.accepted).inc();
      ctx.status = duplicate ? 200 : 202;
      ctx.body = { id, duplicate };
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      metrics.rejected.inc({ platform, reason: err.reason });
      ctx.status = STATUS[err.reason];
      ctx.body = { error: err.message };
      // Every 503 passes (busy, Redis away, not configured yet): say when to come back.
      if (ctx.status === 503) ctx.set("Retry-After", String(RETRY_AFTER_SECONDS));
    } finally {
      // An unread body closes the connection (http/app.ts).
      holding.release();
    }
  };
}
