import type { Worker } from "bullmq";
import type { Config } from "../shared/config.js";
import type { Delivery } from "../shared/event.js";
import type { Logger } from "../shared/log.js";
import { scheduleReconcile } from "../ops/github-reconcile.js";
import { startMaintenance } from "../ops/maintenance.js";
import { tableOfPartition } from "../store/partition-days.js";
import { startOutbound } from "../outbound/delivery/worker.js";
import { githubDispatchSender } from "../outbound/senders/github-dispatch.js";
import { linearSender } from "../outbound/senders/linear.js";
import { startRelay } from "../outbound/relay/relay.js";
import { startDigests } from "../outbound/digest/scheduler.js";
import { slackSender } from "../outbound/senders/slack.js";
import { createProcessor, type Processor } from "../pipeline/processor.js";
import { createBackfillWorker } from "../queue/backfill/worker.js";
import { createImportWorker } from "../queue/import/worker.js";
import { incidentSettings } from "../pipeline/rule-book.js";
import { closeWorker } from "../queue/close-worker.js";
import { createIngestWorker } from "../queue/ingest/worker.js";
import { redisTarget, workerConnection, type RedisConnection } from "../queue/redis.js";
import { BACKFILL_QUEUE } from "../queue/backfill/queue.js";
import { IMPORT_QUEUE } from "../queue/import/queue.js";
import type { Connections } from "./connections.js";

/** ROLE=worker: what stores deliveries, runs rule backfills and history imports, relays the outbox and sends outbound messages. */
export interface WorkerRole {
  /** The first ingest queue's worker (the only one unless QUEUE_SPLIT). */
  ingest: Worker<Delivery>;
  /** One worker per ingest queue. */
  ingestWorkers: Array<Worker<Delivery>>;
  /** The blocking connection the workers share (queue/redis.ts), quit with the producer. */
  redis: RedisConnection;
  stopReconcile(): void;
  closeRelay(): Promise<void>;
  /** Lets the jobs in hand finish, every worker at once. */
  closeWorkers(): Promise<void>;
}

export interface WorkerRoleOptions {
  /** Tests wrap the processor to inject failures; production uses it as is. */
  wrapProcessor?: (p: Processor) => Processor;
  /** Slack digests' clock and tick period (tests move time on); production: the system clock, 30 s. */
  digestClock?: () => Date;
  digestEveryMs?: number;
}

export function startWorkerRole(config: Config, log: Logger, c: Connections, o: WorkerRoleOptions): WorkerRole {
  const { db, metrics, keys } = c;
  const redis = workerConnection(redisTarget(config));
  redis.on("error", (err: Error) => log.warn({ err: err.message }, "worker redis connection error"));
  const processor = createProcessor(db, c.rules, {
    batchSize: config.WORKER_BATCH_SIZE,
    lingerMs: config.WORKER_LINGER_MS,
    writers: config.WORKER_WRITERS,
    onUnprocessable(d, reason) {
      metrics.unprocessable.inc({ platform: d.platform });
      log.warn({ id: d.id, platform: d.platform, deliveryId: d.deliveryId, reason }, "delivery kept as unprocessable");
    },
    onRankFailed(err) {
      log.warn(
        { err: (err as Error).message },
        "ranking incidents' suspects failed; the next batch touching them retries",
      );
    },
  });
  const run = o.wrapProcessor ? o.wrapProcessor(processor) : processor;
  // QUEUE_SPLIT: a worker per platform queue, each taking WORKER_CONCURRENCY jobs into the one processor.
  const ingestWorkers = keys.ingestQueues.map((queue) =>
    createIngestWorker({
      connection: redis,
      prefix: keys.queuePrefix(queue),
      queue,
      concurrency: config.WORKER_CONCURRENCY,
      process: run,
      metrics,
      log,
      backoffMs: config.JOB_BACKOFF_MS,
      backoffMaxMs: config.JOB_BACKOFF_MAX_MS,
      lockMs: config.JOB_LOCK_MS,
      stalledCheckMs: config.JOB_STALLED_CHECK_MS,
    }),
  );
  const ingest = ingestWorkers[0]!;
  const backfill = createBackfillWorker({
    connection: redis,
    prefix: keys.queuePrefix(BACKFILL_QUEUE),
    db,
    log,
    incidents: incidentSettings(config),
  });
  // History imports feed the ingest queue like the receivers do (src/import/, docs/import.md).
  const imports = createImportWorker({
    connection: redis,
    prefix: keys.queuePrefix(IMPORT_QUEUE),
    prisma: db.prisma,
    ingest: c.ingest,
    config,
    log,
  });
  const timeoutMs = config.OUTBOUND_TIMEOUT_MS;
  const outbound = startOutbound({
    db,
    connection: redis,
    queue: c.outbound,
    config,
    log,
    onAttempt: (kind, status) => metrics.outboundAttempts.inc({ kind, status }),
    onDisabled: () => metrics.subscriptionsDisabled.inc(),
    senders: {
      slack: slackSender({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, timeoutMs }),
      linear: linearSender({
        apiKey: config.LINEAR_API_KEY,
        apiUrl: config.LINEAR_API_URL,
        prisma: db.prisma,
        timeoutMs,
      }),
      "github-dispatch": githubDispatchSender({
        token: config.GITHUB_DISPATCH_TOKEN ?? config.GITHUB_TOKEN,
        apiUrl: config.GITHUB_API_URL,
        timeoutMs,
      }),
    },
  });
  const stopReconcile = scheduleReconcile(db.prisma, config, log);
  // Workers hand the outbox on: subscriptions' messages, the live streams' feed.
  const relay = startRelay({
    db,
    databaseUrl: config.DATABASE_URL,
    redis: c.producer,
    redisPrefix: keys.prefix,
    enqueueFirst: c.outbound.enqueueFirst,
    log,
  });
  // Slack digests: a summary per period, made into messages like the relay's (outbound/digest).
  const digests = startDigests({
    db,
    enqueueFirst: c.outbound.enqueueFirst,
    log,
    delayMs: config.DIGEST_DELAY_S * 1000,
    clock: o.digestClock,
    everyMs: o.digestEveryMs,
  });
  // The history's partitions: days made ahead, retention (docs/partitions.md); one worker at a time.
  const maintenance = startMaintenance({
    pool: db.pool,
    log,
    premakeDays: config.PARTITION_PREMAKE_DAYS,
    retention: {
      raw: config.RETENTION_DAYS_RAW,
      events: config.RETENTION_DAYS_EVENTS,
      outbound: config.RETENTION_DAYS_OUTBOUND,
    },
    onChange: (change, partition) => metrics.partitions.inc({ table: tableOfPartition(partition), change }),
  });
  return {
    ingest,
    ingestWorkers,
    redis,
    stopReconcile,
    closeRelay: async () => {
      await Promise.all([relay.close(), digests.close(), maintenance.close()]);
    },
    async closeWorkers() {
      await Promise.all([
        ...ingestWorkers.map((w) => closeWorker(w, log)),
        closeWorker(backfill, log),
        closeWorker(imports, log),
        outbound.close(),
      ]);
    },
  };
}
