import Router from "@koa/router";
import Koa from "koa";
import type { Logger } from "../shared/log.js";
import type { Enqueue } from "../receive/receive-delivery.js";
import { webhookRoute } from "./webhooks.js";
import type { Receiver } from "../platforms/platform.js";
import { PLATFORMS, type Platform } from "../shared/event.js";
import type { Metrics } from "../ops/metrics.js";

export interface AppParts {
  log: Logger;
  metrics: Metrics;
  /** Present in the web role: the receivers and what they enqueue into. */
  ingest?: { receivers: Partial<Record<Platform, Receiver>>; enqueue: Enqueue; maxBytes: number };
  /** /healthz, /readyz, /metrics */
  ops: Router;
  /** /api/*, already guarded by bearer tokens. */
  api?: Router;
}

/** The HTTP surface: receivers at /webhooks/*, the query API at /api/*, operations at the root. */
export function createApp(parts: AppParts): Koa {
  const app = new Koa();
  app.proxy = true;
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: `no route ${ctx.method} ${ctx.path}` };
      }
    } catch (err) {
      // Never echo the error: it could quote a payload. Log the message, answer generically.
      parts.log.error({ err: (err as Error).message, path: ctx.path }, "request failed");
      ctx.status = 500;
      ctx.body = { error: "internal error" };
    }
  });
  app.use(parts.ops.routes());
  if (parts.ingest) {
    const webhooks = new Router({ prefix: "/webhooks" });
    const { receivers, ...deps } = parts.ingest;
    for (const platform of PLATFORMS) {
      webhooks.post(`/${platform}`, webhookRoute(receivers[platform], platform, { ...deps, metrics: parts.metrics }));
    }
    app.use(webhooks.routes());
  }
  if (parts.api) app.use(parts.api.routes());
  return app;
}
