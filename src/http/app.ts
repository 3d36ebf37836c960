import type Router from "@koa/router";
import Koa from "koa";
import type { Logger } from "../shared/log.js";
import type { IngestDeps } from "../receive/receivers.js";
import { webhookRoute } from "./webhooks.js";
import { WEBHOOK_PLATFORMS } from "../shared/event.js";
import type { Metrics } from "../ops/metrics.js";
import { answerFor } from "./errors.js";
import { consoleMiddleware } from "./console.js";
import { canonicalPath, inArea } from "./request-path.js";
import { isPublicRoute } from "../api/openapi.js";
import { createRouter } from "./router.js";
import { securityHeaders } from "./security-headers.js";

export interface AppParts {
  log: Logger;
  metrics: Metrics;
  /** Present in the web role: the receivers and what they enqueue into. */
  ingest?: IngestDeps;
  /** /healthz, /readyz, /metrics */
  ops: Router;
  /** /api/*: its routes; the guard below authenticates them. */
  api?: Router;
  /** /admin/queues (Bull Board). */
  admin?: Koa.Middleware;
  /** The token guards of /api (Bearer) and /admin (Basic), run before any router. */
  guards?: { api: Koa.Middleware; admin: Koa.Middleware };
}

/**
 * Authentication before routing: a request is sent to a guard by its canonical path
 * (request-path.ts), so no spelling of `/api/…` or `/admin/…` — case, `//`, `%61`, `..` — reaches
 * a handler unauthenticated; routers then match the exact spelling only. A path that cannot be
 * decoded is refused here, since no layer can say which area it is in.
 */
function guardAreas(guards: NonNullable<AppParts["guards"]>): Koa.Middleware {
  return (ctx, next) => {
    const path = canonicalPath(ctx.path);
    if (path === null) {
      ctx.status = 400;
      ctx.body = { error: "malformed percent-encoding in the path" };
      return;
    }
    // Routers match the raw path, where `%2F` is no separator: `/api/x/..%2F..` reads as `/` decoded
    // but still routes under /api. Either reading in an area is guarded.
    const raw = ctx.path.toLowerCase().replace(/\/+/g, "/");
    const within = (area: string) => inArea(path, area) || inArea(raw, area);
    if (within("/api")) return isPublicRoute(ctx.method, ctx.path) ? next() : guards.api(ctx, next);
    if (within("/admin")) return guards.admin(ctx, next);
    return next();
  };
}

/** The HTTP surface: receivers at /webhooks/*, the query API at /api/*, operations at the root. */
export function createApp(parts: AppParts): Koa {
  if (parts.api && !parts.guards) throw new Error("the API is served only behind its guards");
  const app = new Koa();
  app.proxy = true;
  // ctx.ip (what failed logins are counted by) is the address the nearest proxy saw, not the
  // left-most X-Forwarded-For entry, which any client can write.
  app.maxIpsCount = 1;
  app.use(securityHeaders());
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: `no route ${ctx.method} ${ctx.path}` };
      }
    } catch (err) {
      // contract §2: an outage is a 503 the client retries, a value PostgreSQL refused is the request's
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
  if (parts.guards) app.use(guardAreas(parts.guards));
  app.use(parts.ops.routes());
  if (parts.ingest) {
    const webhooks = createRouter("/webhooks");
    const { receivers, ...deps } = parts.ingest;
    // `custom` events are published through /api/events: /webhooks/custom is no route (404).
    for (const platform of WEBHOOK_PLATFORMS) {
      webhooks.post(`/${platform}`, webhookRoute(receivers[platform], platform, { ...deps, metrics: parts.metrics }));
    }
    app.use(webhooks.routes());
  }
  if (parts.admin) app.use(parts.admin);
  if (parts.api) app.use(parts.api.routes());
  // The web console (contract §11) last: it only sees paths no route answered.
  if (parts.api) app.use(consoleMiddleware());
  return app;
}
