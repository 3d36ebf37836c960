import { once } from "node:events";
import type { Server } from "node:http";
import { jsonBody } from "./http/json-body.js";
import Router from "@koa/router";
import { Queue, Worker } from "bullmq";
import type { Config } from "./shared/config.js";
import { createApp } from "./http/app.js";
import type { Logger } from "./shared/log.js";
import type { Delivery } from "./shared/event.js";
import { opsRoutes } from "./http/ops.js";
import { scheduleReconcile } from "./ops/github-reconcile.js";
import { createMetrics } from "./ops/metrics.js";
import { ingestDeps } from "./receive/receivers.js";
import { createHttpServer } from "./http/server.js";
import { requireBearer } from "./http/auth.js";
import { eventsApi } from "./http/api/events.js";
import { deliveriesApi } from "./http/api/deliveries.js";
import { queueApi } from "./http/api/queue.js";
import { countUnprocessable } from "./store/deliveries.js";
import { createIngestQueue } from "./queue/ingest-queue.js";
import { oldestWaitingSeconds } from "./queue/oldest-waiting.js";
import { producerConnection, whenReady, workerConnection } from "./queue/redis.js";
import { createIngestWorker } from "./queue/worker.js";
import { createProcessor, type Processor } from "./pipeline/processor.js";
import { openDatabase } from "./store/prisma.js";
import { createRuleBook } from "./pipeline/rule-book.js";
import { BACKFILL_QUEUE, rulesApi } from "./http/api/rules.js";
import { backfillRule } from "./pipeline/backfill.js";
import { deploysApi } from "./http/api/deploys.js";
import { graphApi } from "./http/api/entities.js";

export interface ServiceOptions {
  /** Tests wrap the processor to inject failures; production uses it as is. */
  wrapProcessor?: (p: Processor) => Processor;
}

export interface Service {
  server: Server;
  port: number;
  queue: Queue<Delivery>;
  worker?: Worker<Delivery>;
  close(): Promise<void>;
}

/** Starts the process's role: `web` (receivers + API), `worker` (processors), or `all`. */
export async function startService(config: Config, log: Logger, options: ServiceOptions = {}): Promise<Service> {
  const web = config.ROLE !== "worker";
  const working = config.ROLE !== "web";
  // A worker holds one connection per writer; the rest of the pool serves the API and rule backfills.
  const db = openDatabase(config.DATABASE_URL, 10);
  const { prisma } = db;
  const producer = producerConnection(config.REDIS_URL);
  producer.on("error", (err) => log.warn({ err: err.message }, "redis connection error"));
  const ingest = createIngestQueue({
    connection: producer,
    prefix: config.REDIS_PREFIX,
    attempts: config.JOB_ATTEMPTS,
    backoffMs: config.JOB_BACKOFF_MS,
    dedupeTtlSeconds: config.DEDUPE_TTL_SECONDS,
    enqueueTimeoutMs: config.ENQUEUE_TIMEOUT_MS,
  });
  ingest.queue.on("error", () => undefined); // already logged by the connection
  const metrics = createMetrics(ingest.depth, () => oldestWaitingSeconds(ingest.queue, producer));
  const rules = createRuleBook(prisma, {
    onInvalid(rule, version, errors) {
      metrics.ruleFailures.inc({ rule, kind: "invalid" });
      log.warn({ rule, version, errors }, "custom rule left out: the code no longer accepts it");
    },
    onFailed(rule, err) {
      metrics.ruleFailures.inc({ rule, kind: "failed" });
      log.warn({ rule, err: (err as Error).message }, "custom rule failed on an event");
    },
  });

  // Rule backfills run as jobs of their own queue, with progress, on the workers.
  const backfills = new Queue(BACKFILL_QUEUE, {
    connection: producer,
    prefix: config.REDIS_PREFIX,
    defaultJobOptions: { removeOnComplete: { age: 7 * 86_400 } },
  });
  backfills.on("error", () => undefined);

  let worker: Worker<Delivery> | undefined;
  let backfillWorker: Worker | undefined;
  let workerRedis: ReturnType<typeof workerConnection> | undefined;
  if (working) {
    workerRedis = workerConnection(config.REDIS_URL);
    workerRedis.on("error", (err) => log.warn({ err: err.message }, "worker redis connection error"));
    const processor = createProcessor(db, rules, {
      batchSize: config.WORKER_BATCH_SIZE,
      lingerMs: config.WORKER_LINGER_MS,
      writers: config.WORKER_WRITERS,
      onUnprocessable(d, reason) {
        metrics.unprocessable.inc({ platform: d.platform });
        log.warn(
          { id: d.id, platform: d.platform, deliveryId: d.deliveryId, reason },
          "delivery kept as unprocessable",
        );
      },
    });
    worker = createIngestWorker({
      connection: workerRedis,
      prefix: config.REDIS_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      process: options.wrapProcessor ? options.wrapProcessor(processor) : processor,
      metrics,
      log,
      backoffMs: config.JOB_BACKOFF_MS,
      backoffMaxMs: config.JOB_BACKOFF_MAX_MS,
      lockMs: config.JOB_LOCK_MS,
      stalledCheckMs: config.JOB_STALLED_CHECK_MS,
    });
    backfillWorker = new Worker(
      BACKFILL_QUEUE,
      (job) => backfillRule(db, job.data.rule, (p) => job.updateProgress({ ...p })),
      { connection: workerRedis, prefix: config.REDIS_PREFIX, concurrency: 1 },
    );
    backfillWorker.on("error", (err) => log.error({ err: err.message }, "backfill worker error"));
  }

  const stopReconcile = working ? scheduleReconcile(prisma, config, log) : () => undefined;

  let api: Router | undefined;
  if (web) {
    api = new Router({ prefix: "/api" });
    api.use(requireBearer(config.API_TOKENS));
    api.use(jsonBody("1mb"));
    api.use(eventsApi(prisma).routes());
    api.use(graphApi(prisma).routes());
    api.use(deploysApi(prisma, config.PRODUCTION_ENVIRONMENTS).routes());
    api.use(rulesApi(prisma, rules, backfills).routes());
    api.use(queueApi(ingest, () => countUnprocessable(prisma)).routes());
    api.use(deliveriesApi(db, rules).routes());
  }
  const app = createApp({
    log,
    metrics,
    // Readiness by role (SPEC §6): receivers need Redis only, so a database outage does not turn webhooks away.
    ops: opsRoutes(
      {
        ...(working ? { postgres: () => prisma.$queryRaw`SELECT 1` } : {}),
        redis: () => whenReady(producer, 900).then(() => producer.ping()),
      },
      metrics.registry,
    ),
    api,
    ingest: web ? ingestDeps(config, ingest.enqueue) : undefined,
  });
  // Give the producer a moment to connect so the first deliveries are not refused needlessly;
  // if Redis is down the receivers still start and answer 503 until it is back.
  await whenReady(producer, 2000).catch(() => log.warn("redis not reachable yet; receivers answer 503 until it is"));
  const server = createHttpServer(app, config).listen(config.PORT, "0.0.0.0");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  log.info({ port, role: config.ROLE }, "switchyard started");

  return {
    server,
    port,
    queue: ingest.queue,
    worker,
    async close() {
      // Stop accepting, let in-flight requests and jobs finish, then close connections.
      stopReconcile();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await Promise.all([worker?.close(), backfillWorker?.close()]);
      await Promise.all([ingest.queue.close(), backfills.close()]);
      await Promise.allSettled([producer.quit(), workerRedis?.quit()]);
      await db.close();
    },
  };
}
