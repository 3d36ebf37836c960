import { once } from "node:events";
import type { Server } from "node:http";
import type { Config } from "../shared/config.js";
import type { Logger } from "../shared/log.js";
import { createApp } from "../http/app.js";
import { opsRoutes } from "../http/ops.js";
import { createHttpServer } from "../http/server.js";
import { whenReady } from "../queue/redis.js";
import type { Connections } from "./connections.js";
import type { WebRole } from "./web.js";

/** Every role serves /healthz, /readyz and /metrics; the web role adds its parts. */
export interface Listening {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish. */
  close(): Promise<void>;
}

export async function listen(
  config: Config,
  log: Logger,
  c: Connections,
  roles: { web?: WebRole; worker: boolean },
): Promise<Listening> {
  const { prisma } = c.db;
  const { producer } = c;
  const web = roles.web;
  const app = createApp({
    log,
    metrics: c.metrics,
    // Readiness by role (contract §6): receivers need Redis only, so a database outage does not turn webhooks away.
    ops: opsRoutes(
      {
        ...(roles.worker ? { postgres: () => prisma.$queryRaw`SELECT 1` } : {}),
        redis: () => whenReady(producer, 900).then(() => producer.ping()),
      },
      c.metrics.registry,
    ),
    api: web?.api,
    admin: web?.admin,
    guards: web?.guards,
    ingest: web?.ingest,
  });
  // Give the producer a moment to connect so the first deliveries are not refused needlessly;
  // if Redis is down the receivers still start and answer 503 until it is back.
  await whenReady(producer, 2000).catch(() => log.warn("redis not reachable yet; receivers answer 503 until it is"));
  const server = createHttpServer(app, config, web?.socket).listen(config.PORT, "0.0.0.0");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  return {
    server,
    port,
    async close() {
      await web?.socket.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    },
  };
}
