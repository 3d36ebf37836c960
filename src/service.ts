import { once } from "node:events";
import type { Server } from "node:http";
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
import { basicGuard, bearerGuard, requireToken } from "./http/auth.js";
import { authThrottle } from "./http/auth-throttle.js";
import { createIngestQueue } from "./queue/ingest-queue.js";
import { oldestWaitingSeconds } from "./queue/oldest-waiting.js";
import { producerConnection, whenReady, workerConnection } from "./queue/redis.js";
import { createIngestWorker } from "./queue/worker.js";
import { createProcessor, type Processor } from "./pipeline/processor.js";
import { openDatabase } from "./store/prisma.js";
import { sealStoredSecrets, useKeyring } from "./store/subscriptions.js";
import { keyring, SealKeyError } from "./shared/seal.js";
import { createRuleBook } from "./pipeline/rule-book.js";
import { BACKFILL_QUEUE } from "./queue/backfill/queue.js";
import { apiRouter } from "./api/router.js";
import { backfillRule } from "./pipeline/backfill.js";
import { createStreamHub, type StreamHub } from "./outbound/stream-hub.js";
import { createStreamSlots } from "./outbound/stream-slots.js";
import { createOutboundQueue } from "./queue/outbound-queue.js";
import { closeWorker } from "./queue/close-worker.js";
import { startOutbound, type Outbound } from "./outbound/delivery-worker.js";
import { slackSender } from "./outbound/slack.js";
import { linearSender } from "./outbound/linear.js";
import { startRelay } from "./outbound/relay.js";
import { unrelayedCount } from "./store/outbox.js";
import { adminQueues } from "./http/admin-queues.js";
import type { Middleware } from "koa";

export interface ServiceOptions {
  /** Tests wrap the processor to inject failures; production uses it as is. */
  wrapProcessor?: (p: Processor) => Processor;
}

export interface Service {
  server: Server;
  port: number;
  queue: Queue<Delivery>;
  worker?: Worker<Delivery>;
  /** The /api router of the web role: its routes are what the OpenAPI document must describe. */
  api?: Router;
  close(): Promise<void>;
}

/** Starts the process's role: `web` (receivers + API), `worker` (processors), or `all`. */
export async function startService(config: Config, log: Logger, options: ServiceOptions = {}): Promise<Service> {
  const web = config.ROLE !== "worker";
  const working = config.ROLE !== "web";
  // A worker holds one connection per writer; the rest of the pool serves the API and rule backfills.
  const db = openDatabase(config.DATABASE_URL, 10);
  const { prisma } = db;
  // Subscriptions' secrets are sealed at rest (docs/security.md): a start whose keys do not open
  // them stops here; one that finds some plain, or under an older key, seals them with the first.
  const keys = keyring(config.SECRETS_KEYS);
  useKeyring(db, keys);
  try {
    const { sealed } = await sealStoredSecrets(db.pool, keys);
    if (sealed) log.info({ sealed }, "subscription secrets sealed with the first SECRETS_KEYS key");
  } catch (err) {
    if (err instanceof SealKeyError) {
      log.error({ variable: "SECRETS_KEYS", keyId: err.keyId }, err.message);
      await db.close();
      throw err;
    }
    // PostgreSQL down (receivers start without it, contract §6) or not migrated: checked on the next start.
    log.warn({ err: (err as Error).message }, "subscription secrets not checked at start-up");
  }
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
  let hub: StreamHub | undefined;
  const metrics = createMetrics({
    queueDepth: ingest.depth,
    oldestWaiting: () => oldestWaitingSeconds(ingest.queue, producer),
    ...(working ? { outboxBacklog: () => unrelayedCount(prisma) } : {}),
    ...(web ? { streamClients: () => hub?.clients ?? 0 } : {}),
  });
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
  // Outbound attempts (contract §9) have a queue of their own: a slow destination never delays ingestion.
  const outbound = createOutboundQueue({ connection: producer, prefix: config.REDIS_PREFIX });
  outbound.queue.on("error", () => undefined);

  let worker: Worker<Delivery> | undefined;
  let backfillWorker: Worker | undefined;
  let outboundWorker: Outbound | undefined;
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
    const timeoutMs = config.OUTBOUND_TIMEOUT_MS;
    outboundWorker = startOutbound({
      db,
      connection: workerRedis,
      queue: outbound,
      config,
      log,
      onAttempt: (kind, status) => metrics.outboundAttempts.inc({ kind, status }),
      onDisabled: () => metrics.subscriptionsDisabled.inc(),
      senders: {
        slack: slackSender({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, timeoutMs }),
        linear: linearSender({ apiKey: config.LINEAR_API_KEY, apiUrl: config.LINEAR_API_URL, prisma, timeoutMs }),
      },
    });
  }

  const stopReconcile = working ? scheduleReconcile(prisma, config, log) : () => undefined;
  // Workers hand the outbox on: subscriptions' messages, the live streams' feed.
  const relay = working
    ? startRelay({
        db,
        databaseUrl: config.DATABASE_URL,
        redis: producer,
        redisPrefix: config.REDIS_PREFIX,
        enqueueFirst: outbound.enqueueFirst,
        log,
      })
    : undefined;

  let api: Router | undefined;
  let admin: Middleware | undefined;
  let guards: { api: Middleware; admin: Middleware } | undefined;
  if (web) {
    // One failure count for both guards: a client guessing tokens is held back on either.
    const throttle = authThrottle({
      maxFailures: config.AUTH_FAILURES_MAX,
      windowSeconds: config.AUTH_FAILURES_WINDOW_S,
    });
    guards = {
      api: requireToken(config.API_TOKENS, throttle, bearerGuard),
      admin: requireToken(config.API_TOKENS, throttle, basicGuard),
    };
    // One Redis subscription per process feeds every live stream it serves (contract §10).
    hub = createStreamHub({
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      prisma,
      log,
      heartbeatMs: config.STREAM_HEARTBEAT_MS,
      maxBufferedBytes: config.STREAM_MAX_BUFFERED_BYTES,
    });
    // The cap on live streams, per process and per token: a WebSocket endpoint takes its slots here too.
    const slots = createStreamSlots({
      total: config.STREAM_MAX_CLIENTS,
      perToken: config.STREAM_MAX_CLIENTS_PER_TOKEN,
    });
    api = apiRouter({
      db,
      rules,
      backfills,
      ingest,
      outbound,
      hub,
      slots,
      config: {
        productionEnvironments: config.PRODUCTION_ENVIRONMENTS,
        allowPrivate: config.OUTBOUND_ALLOW_PRIVATE,
      },
    });
    // /admin/queues (Bull Board) shows every queue of the service.
    admin = adminQueues([ingest.queue, backfills, outbound.queue]);
  }
  const app = createApp({
    log,
    metrics,
    // Readiness by role (contract §6): receivers need Redis only, so a database outage does not turn webhooks away.
    ops: opsRoutes(
      {
        ...(working ? { postgres: () => prisma.$queryRaw`SELECT 1` } : {}),
        redis: () => whenReady(producer, 900).then(() => producer.ping()),
      },
      metrics.registry,
    ),
    api,
    admin,
    guards,
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
    api,
    async close() {
      // Stop accepting, let in-flight requests and jobs finish, then close connections.
      // Live streams first: they never finish by themselves, and server.close() waits for them.
      await hub?.close();
      stopReconcile();
      await relay?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await Promise.all([
        worker && closeWorker(worker, log),
        backfillWorker && closeWorker(backfillWorker, log),
        outboundWorker?.close(),
      ]);
      await Promise.all([ingest.queue.close(), backfills.close(), outbound.queue.close()]);
      await Promise.allSettled([producer.quit(), workerRedis?.quit()]);
      await db.close();
    },
  };
}
