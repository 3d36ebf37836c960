import type { Server } from "node:http";
import type Router from "@koa/router";
import type { Queue, Worker } from "bullmq";
import type { Config } from "./shared/config.js";
import type { Delivery } from "./shared/event.js";
import type { Logger } from "./shared/log.js";
import { openConnections } from "./roles/connections.js";
import { listen } from "./roles/server.js";
import { startWebRole, type WebRole } from "./roles/web.js";
import { startWorkerRole, type WorkerRoleOptions } from "./roles/worker.js";

/** What tests may change in the worker role (its processor); production passes none. */
export type ServiceOptions = WorkerRoleOptions;

export interface Service {
  server: Server;
  port: number;
  queue: Queue<Delivery>;
  worker?: Worker<Delivery>;
  /** The /api router of the web role: its routes are what the OpenAPI document must describe. */
  api?: Router;
  close(): Promise<void>;
}

/**
 * Starts the process's role (contract §1): `web` (receivers, /api, live streams, /admin/queues, console:
 * roles/web.ts), `worker` (processors, backfills, relay, outbound delivery: roles/worker.ts), or `all`
 * (both). Both share roles/connections.ts; every role serves /healthz, /readyz, /metrics (roles/server.ts).
 */
export async function startService(config: Config, log: Logger, options: ServiceOptions = {}): Promise<Service> {
  const serveWeb = config.ROLE !== "worker";
  const work = config.ROLE !== "web";
  // The metrics count the web role's live streams at scrape time: its hub starts after them.
  let web: WebRole | undefined = undefined;
  const connections = await openConnections(config, log, {
    outboxBacklog: work,
    readReplica: serveWeb,
    ...(serveWeb ? { streamClients: () => web?.hub.clients ?? 0 } : {}),
  });
  const worker = work ? startWorkerRole(config, log, connections, options) : undefined;
  web = serveWeb ? startWebRole(config, log, connections) : undefined;
  const http = await listen(config, log, connections, { web, worker: work });
  log.info({ port: http.port, role: config.ROLE }, "switchyard started");

  return {
    server: http.server,
    port: http.port,
    queue: connections.ingest.queue,
    worker: worker?.ingest,
    api: web?.api,
    async close() {
      // Stop accepting, let in-flight requests and jobs finish, then close connections.
      // Live streams first: they never finish by themselves, and server.close() waits for them.
      await web?.hub.close();
      worker?.stopReconcile();
      await worker?.closeRelay();
      await http.close();
      await worker?.closeWorkers();
      await connections.closeQueues();
      await Promise.allSettled([connections.producer.quit(), worker?.redis.quit()]);
      await connections.reads?.close();
      await connections.db.close();
    },
  };
}
