import type Router from "@koa/router";
import type { Middleware } from "koa";
import type { Config } from "../shared/config.js";
import type { Logger } from "../shared/log.js";
import { adminQueues } from "../http/admin-queues.js";
import { basicGuard, bearerGuard, requireScope, requireToken, tokenMatcher } from "../http/auth.js";
import { authThrottle } from "../http/auth-throttle.js";
import { apiRouter } from "../api/router.js";
import { streamSocket, type UpgradeEndpoint } from "../api/stream-socket.js";
import { importAvailable } from "../import/sources.js";
import type { StreamHub } from "../outbound/stream/hub.js";
import { createStreamHub } from "../outbound/stream/redis.js";
import { createStreamSlots } from "../outbound/stream/slots.js";
import { redisTarget } from "../queue/redis.js";
import { ingestDeps, type IngestDeps } from "../receive/receivers.js";
import type { Connections } from "./connections.js";

/**
 * ROLE=web: the receivers, the /api router, the live streams' hub, /admin/queues and (served by
 * http/app.ts behind the API) the console. What it hands to the HTTP server is http/app.ts's AppParts.
 */
export interface WebRole {
  ingest: IngestDeps;
  api: Router;
  admin: Middleware;
  guards: { api: Middleware; admin: Middleware };
  hub: StreamHub;
  /** GET /api/stream upgraded to a WebSocket: served on the HTTP server's `upgrade`, beside Koa. */
  socket: UpgradeEndpoint;
}

export function startWebRole(config: Config, log: Logger, c: Connections): WebRole {
  // One failure count for both guards: a client guessing tokens is held back on either.
  const throttle = authThrottle({
    maxFailures: config.AUTH_FAILURES_MAX,
    windowSeconds: config.AUTH_FAILURES_WINDOW_S,
  });
  // The board operates every queue: only an `admin` (or unscoped) token opens it.
  const boardToken = requireToken(config.API_TOKENS, throttle, basicGuard);
  const adminScope = requireScope("admin");
  const guards: WebRole["guards"] = {
    api: requireToken(config.API_TOKENS, throttle, bearerGuard),
    admin: (ctx, next) => boardToken(ctx, () => adminScope(ctx, next)),
  };
  // One Redis subscription per process feeds every live stream it serves (contract §10).
  const hub = createStreamHub({
    redis: redisTarget(config),
    prefix: config.REDIS_PREFIX,
    prisma: c.db.prisma,
    ...(c.reads ? { reads: c.reads } : {}),
    log,
    heartbeatMs: config.STREAM_HEARTBEAT_MS,
    maxBufferedBytes: config.STREAM_MAX_BUFFERED_BYTES,
  });
  // The cap on live streams, per process and per token: a WebSocket endpoint takes its slots here too.
  const slots = createStreamSlots({
    total: config.STREAM_MAX_CLIENTS,
    perToken: config.STREAM_MAX_CLIENTS_PER_TOKEN,
  });
  // The WebSocket stream authenticates as the API's guard does: the same tokens, the same throttle.
  const matchToken = tokenMatcher(config.API_TOKENS);
  const socket = streamSocket({
    hub,
    slots,
    throttle,
    authenticate: (token) => {
      const found = matchToken(token);
      return found ? { id: found.id, scopes: found.scopes } : null;
    },
    tokensConfigured: config.API_TOKENS.length > 0,
    heartbeatMs: config.STREAM_HEARTBEAT_MS,
    log,
  });
  const api = apiRouter({
    ...c,
    hub,
    slots,
    config: {
      productionEnvironments: config.PRODUCTION_ENVIRONMENTS,
      bugLabels: config.BUG_LABELS,
      incidentWindowMs: config.INCIDENT_SUSPECT_WINDOW_HOURS * 3_600_000,
      allowPrivate: config.OUTBOUND_ALLOW_PRIVATE,
      importAvailable: (platform) => importAvailable(platform, config),
    },
  });
  return {
    ingest: ingestDeps(config, c.ingest.enqueue),
    api,
    // /admin/queues (Bull Board) shows every queue of the service.
    admin: adminQueues([...c.ingest.queues, c.backfills, c.imports, c.outbound.queue]),
    guards,
    hub,
    socket,
  };
}
