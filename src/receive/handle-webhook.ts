import type { Middleware } from "koa";
import { v7 as uuidv7 } from "uuid";
import type { Metrics } from "../ops/metrics.js";
import type { Delivery } from "../shared/event.js";
import { HttpError } from "./http-error.js";
import { mediaType, readBody } from "./read-body.js";
import type { Receiver } from "./receiver.js";

export type Enqueue = (delivery: Delivery) => Promise<{ id: string; duplicate: boolean }>;

/** Headers never kept with the raw delivery: they can carry credentials. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-gitlab-token", "x-api-key"]);

function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADERS.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return kept;
}

/**
 * The whole receive path: read the exact body, verify, enqueue, answer. No database call here,
 * so acknowledging stays fast and depends only on Redis.
 */
export function handleWebhook(
  receiver: Receiver | undefined,
  platform: Delivery["platform"],
  deps: { enqueue: Enqueue; metrics: Metrics; maxBytes: number },
): Middleware {
  const { metrics } = deps;
  return async (ctx) => {
    metrics.received.inc({ platform });
    try {
      if (!receiver) throw new HttpError(503, `${platform} receiver not configured`, "not_configured");
      const contentType = mediaType(ctx.req);
      if (!receiver.contentTypes.includes(contentType)) {
        throw new HttpError(415, `content type must be ${receiver.contentTypes.join(" or ")}`, "unsupported_media_type");
      }
      const rawBody = await readBody(ctx.req, deps.maxBytes);
      const req = { headers: ctx.req.headers, contentType, rawBody, body: rawBody.toString("utf8") };
      const verdict = await receiver.accept(req);
      if ("answer" in verdict) {
        ctx.status = verdict.answer.status;
        ctx.body = verdict.answer.body;
        return;
      }
      const delivery: Delivery = {
        id: uuidv7(),
        platform,
        deliveryId: verdict.deliveryId,
        receivedAt: new Date().toISOString(),
        contentType,
        headers: keptHeaders(req.headers),
        body: req.body,
        type: verdict.type,
        priority: verdict.priority,
      };
      const { id, duplicate } = await deps.enqueue(delivery);
      (duplicate ? metrics.duplicates : metrics.accepted).inc({ platform });
      ctx.status = duplicate ? 200 : 202;
      ctx.body = { id, duplicate };
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      metrics.rejected.inc({ platform, reason: err.reason });
      ctx.status = err.status;
      ctx.body = { error: err.message };
    }
  };
}
