import Router from "@koa/router";
import Koa from "koa";
import type { Logger } from "../shared/log.js";
import type { IngestDeps } from "../receive/receivers.js";
import { webhookRoute } from "./webhooks.js";
import { PLATFORMS } from "../shared/event.js";
import type { Metrics } from "../ops/metrics.js";
import { answerFor } from "./errors.js";
import { consoleMiddleware } from "./console.js";

export interface AppParts {
  log: Logger;
  metrics: Metrics;
  /** Present in the web role: the receivers and what they enqueue into. */
  ingest?: IngestDeps;
  /** /healthz, /readyz, /metrics */
  ops: Router;
  /** /api/*, already guarded by bearer tokens. */
  api?: Router;
  /** /admin/queues (Bull Board), guarded by its own Basic auth. */
  admin?: Koa.Middleware;
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
      // SPEC §2: an outage is a 503 the client retries, a value PostgreSQL refused is the request's
      // 400, anything else a 500 (a bug). Never echo the error: it could quote a payload; log it.
      const answer = answerFor(err);
      const level = answer.status >= 500 ? (answer.status === 503 ? "warn" : "error") : "info";
      parts.log[level](
        {
          err: (err as Error)?.message,
          stack: answer.status === 500 ? (err as Error)?.stack : undefined,
          path: ctx.path,
        },
        "request failed",
      );
      ctx.status = answer.status;
      ctx.body = { error: answer.error };
      if (answer.retryAfter) ctx.set("Retry-After", String(answer.retryAfter));
    } finally {
      // A body left unread (refused early) is not drained: the answer closes the connection.
      if (!ctx.req.complete) ctx.set("Connection", "close");
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
  if (parts.admin) app.use(parts.admin);
  if (parts.api) app.use(parts.api.routes());
  // The web console (SPEC §11) last: it only sees paths no route answered.
  if (parts.api) app.use(consoleMiddleware());
  return app;
}
