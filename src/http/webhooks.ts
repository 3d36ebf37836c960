import type { Middleware } from "koa";
import type { Metrics } from "../ops/metrics.js";
import type { Receiver } from "../platforms/platform.js";
import { receiveDelivery, type Enqueue } from "../receive/receive-delivery.js";
import type { Platform } from "../shared/event.js";
import { Refused } from "../shared/errors.js";
import { STATUS } from "./status.js";

/** POST /webhooks/<platform>: 202 for a new delivery, 200 for a known one, a refusal's status otherwise. */
export function webhookRoute(
  receiver: Receiver | undefined,
  platform: Platform,
  deps: { enqueue: Enqueue; metrics: Metrics; maxBytes: number },
): Middleware {
  const { metrics } = deps;
  return async (ctx) => {
    metrics.received.inc({ platform });
    try {
      const received = await receiveDelivery(receiver, platform, ctx.req, deps);
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
    }
  };
}
