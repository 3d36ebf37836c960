import type { Queue } from "bullmq";
import type { Config } from "../shared/config.js";
import type { Logger } from "../shared/log.js";
import { keyring, SealKeyError } from "../shared/seal.js";
import { createMetrics, type Metrics } from "../ops/metrics.js";
import { createRuleBook, type RuleBook } from "../pipeline/rule-book.js";
import { incidentSettings } from "../pipeline/rule-book.js";
import { createBackfillQueue } from "../queue/backfill/queue.js";
import { createImportQueue, type ImportJob } from "../queue/import/queue.js";
import { createIngestQueue, type IngestQueue } from "../queue/ingest/queue.js";
import { oldestWaitingOf } from "../queue/ingest/oldest-waiting.js";
import { createOutboundQueue, type OutboundQueue } from "../outbound/delivery/queue.js";
import { keysOf, producerConnection, redisTarget, type RedisConnection } from "../queue/redis.js";
import { BACKFILL_QUEUE } from "../queue/backfill/queue.js";
import { IMPORT_QUEUE } from "../queue/import/queue.js";
import type { RedisKeys } from "../queue/redis-keys.js";
import { unrelayedCount } from "../store/outbox.js";
import { openDatabase, type Database } from "../store/prisma.js";
import { readReplica, type ReadRouting } from "../store/replica.js";
import { sealStoredSecrets, useKeyring } from "../store/subscriptions.js";

/** What the web and worker roles share: one database pool, one Redis producer, the queues, metrics, rules. */
export interface Connections {
  db: Database;
  /** The web role's reads on DATABASE_READ_URL's replica (store/replica.ts); unset without one. */
  reads?: ReadRouting;
  /** Fail-fast (queue/redis.ts): receivers answer 503 at once while Redis is down. */
  producer: RedisConnection;
  /** Every Redis key and queue prefix (queue/redis-keys.ts): hash tags on a cluster. */
  keys: RedisKeys;
  ingest: IngestQueue;
  backfills: Queue;
  /** History imports (src/queue/import/). */
  imports: Queue<ImportJob>;
  outbound: OutboundQueue;
  metrics: Metrics;
  rules: RuleBook;
  /** The producer side of the three queues (their workers are the worker role's). */
  closeQueues(): Promise<void>;
}

export interface ConnectionsOptions {
  /** The worker role reports the outbox backlog. */
  outboxBacklog: boolean;
  /** The web role reports its live streams (read at scrape time: its hub starts later). */
  streamClients?: () => number;
  /** The web role reads on DATABASE_READ_URL's replica, when set; the worker never does. */
  readReplica?: boolean;
}

/**
 * Subscriptions' secrets are sealed at rest (docs/security.md): a start whose keys do not open
 * them stops here; one that finds some plain, or under an older key, seals them with the first.
 */
async function sealSecrets(db: Database, config: Config, log: Logger): Promise<void> {
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
}

/** The replica's pool and its lag poll; a poll failure is logged once per outage, never with the URL. */
function openReads(url: string, primary: Database, config: Config, metrics: Metrics, log: Logger): ReadRouting {
  let away = false;
  const reads = readReplica({
    primary,
    replica: openDatabase(url, 10),
    maxLagMs: config.READ_MAX_LAG_MS,
    onFallback: (reason) => metrics.readFallbacks.inc({ reason }),
    onPollError(err) {
      if (!away) log.warn({ err: err.message }, "read replica not answering: reads go to the primary");
      away = true;
    },
    onPoll() {
      if (away) log.info("read replica answering again");
      away = false;
    },
  });
  return reads;
}

export async function openConnections(config: Config, log: Logger, o: ConnectionsOptions): Promise<Connections> {
  // A worker holds one connection per writer; the rest of the pool serves the API and rule backfills.
  const db = openDatabase(config.DATABASE_URL, 10);
  const { prisma } = db;
  await sealSecrets(db, config, log);
  const producer = producerConnection(redisTarget(config));
  producer.on("error", (err: Error) => log.warn({ err: err.message }, "redis connection error"));
  const prefix = config.REDIS_PREFIX;
  const keys = keysOf(config);
  const ingest = createIngestQueue({
    connection: producer,
    prefix,
    keys,
    attempts: config.JOB_ATTEMPTS,
    backoffMs: config.JOB_BACKOFF_MS,
    dedupeTtlSeconds: config.DEDUPE_TTL_SECONDS,
    enqueueTimeoutMs: config.ENQUEUE_TIMEOUT_MS,
  });
  const readUrl = o.readReplica ? config.DATABASE_READ_URL : undefined;
  let reads: ReadRouting | undefined;
  for (const q of ingest.queues) q.on("error", () => undefined); // already logged by the connection
  const metrics = createMetrics({
    queueDepth: ingest.depth,
    oldestWaiting: () => oldestWaitingOf(ingest.queues, producer),
    ...(o.outboxBacklog ? { outboxBacklog: () => unrelayedCount(prisma) } : {}),
    ...(o.streamClients ? { streamClients: o.streamClients } : {}),
    ...(readUrl ? { replicaLag: () => reads?.state().lagSeconds ?? null } : {}),
  });
  if (readUrl) reads = openReads(readUrl, db, config, metrics, log);
  const rules = createRuleBook(prisma, {
    incidents: incidentSettings(config),
    onInvalid(rule, version, errors) {
      metrics.ruleFailures.inc({ rule, kind: "invalid" });
      log.warn({ rule, version, errors }, "custom rule left out: the code no longer accepts it");
    },
    onFailed(rule, err) {
      metrics.ruleFailures.inc({ rule, kind: "failed" });
      log.warn({ rule, err: (err as Error).message }, "custom rule failed on an event");
    },
  });
  const backfills = createBackfillQueue({ connection: producer, prefix: keys.queuePrefix(BACKFILL_QUEUE) });
  backfills.on("error", () => undefined);
  const imports = createImportQueue({ connection: producer, prefix: keys.queuePrefix(IMPORT_QUEUE) });
  imports.on("error", () => undefined);
  // Outbound attempts (contract §9) have a queue of their own: a slow destination never delays ingestion.
  const outbound = createOutboundQueue({ connection: producer, prefix, keys });
  outbound.queue.on("error", () => undefined);
  return {
    db,
    ...(reads ? { reads } : {}),
    producer,
    keys,
    ingest,
    backfills,
    imports,
    outbound,
    metrics,
    rules,
    async closeQueues() {
      await Promise.all([
        ...ingest.queues.map((q) => q.close()),
        backfills.close(),
        imports.close(),
        outbound.queue.close(),
      ]);
    },
  };
}
