import type { Middleware } from "koa";
import type { Metrics } from "../ops/metrics.js";
import type { Receiver } from "../platforms/platform.js";
import { InflightBytes, type ReceiveLimits } from "../receive/limits.js";
import { receiveDelivery, type Enqueue } from "../receive/receive-delivery.js";
import type { Platform } from "../shared/event.js";
import { Refused } from "../shared/errors.js";
import { STATUS } from "./status.js";

export interface WebhookDeps {
  enqueue: Enqueue;
  metrics: Metrics;
  /** The overall cap (WEBHOOK_MAX_BYTES). */
  maxBytes: number;
  /** Per-platform limits and the in-flight budget shared by every route (receive/receivers.ts ingestDeps). */
  limits?: ReceiveLimits;
}

/** Seconds a sender is asked to wait on a 503 that passes (a busy receiver, Redis away). */
const RETRY_AFTER = "5";

/** POST /webhooks/<platform>: 202 for a new delivery, 200 for a known one, a refusal's status otherwise. */
export function webhookRoute(receiver: Receiver | undefined, platform: Platform, deps: WebhookDeps): Middleware {
  const { metrics, enqueue } = deps;
  const maxBytes = Math.min(deps.maxBytes, deps.limits?.maxBytes[platform] ?? Infinity);
  const inflight = deps.limits?.inflight ?? new InflightBytes(Infinity);
  return async (ctx) => {
    metrics.received.inc({ platform });
    const holding = inflight.open();
    try {
      const received = await receiveDelivery(receiver, platform, ctx.req, { enqueue, maxBytes, holding });
      if ("answer" in received) {
        ctx.status = received.answer.status;
        ctx.body = received.answer.body;
        return;
      }
      const { id, duplicate } = received;
      (duplicate ? metrics.duplicates : metrics.accepted).inc({ platform });
      ctx.status = duplicate ? 200 : 202;
      ctx.body = { id, duplicate };
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      metrics.rejected.inc({ platform, reason: err.reason });
      ctx.status = STATUS[err.reason];
      ctx.body = { error: err.message };
      if (err.reason === "busy" || err.reason === "queue_unavailable") ctx.set("Retry-After", RETRY_AFTER);
    } finally {
      holding.release();
      // A body left unread (refused early, too large) is not drained: the answer closes the connection.
      if (!ctx.req.complete) ctx.set("Connection", "close");
    }
  };
}
