/**
 * Pipeline benchmark: events/s that the workers store and correlate, and receive-to-correlated latency.
 * A realistic multi-platform mix (GitHub PRs, pushes, reviews, issues; Slack messages; Linear issues;
 * generic deploys) over REPOS repositories and a few Linear teams is enqueued as fast as possible on
 * the project's own ingest queue, then WORKERS child processes of the real service (ROLE=worker)
 * drain it into a private schema. Leaves nothing behind (schema dropped, Redis prefix deleted).
 * Run: npx tsx bench/pipeline.ts
 * Env: EVENTS (50000), BENCH_PG_BASE (postgresql://postgres@127.0.0.1:5432), WORKER_NODE_ARGS (node flags
 * of the workers, e.g. --cpu-prof), WORKERS (2), BENCH_SEED (a fixed workload: compare graph digests across
 * commits), WORKER_BATCH_SIZE, WORKER_WRITERS and WORKER_CONCURRENCY (the service's defaults), REPOS
 * (EVENTS/250, at most 200), TIMEOUT_S (900), KEEP=1 (keep schema).
 * Modules: pipeline/config.ts (settings), pipeline/workload.ts and pipeline/deliveries.ts (what is sent),
 * pipeline/report.ts (the figures).
 */
import type { ChildProcess } from "node:child_process";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { createIngestQueue } from "../src/queue/ingest/queue.js";
import { JOB_PRIORITY } from "../src/queue/priority.js";
import { loadConfig } from "../src/shared/config.js";
import type { Delivery } from "../src/shared/event.js";
import { migrate } from "../src/store/migrate.js";
import { dropBenchSchema, spawnWorkers, stopChild } from "./lifecycle.js";
import {
  BATCH,
  BATCH_SIZE,
  CONCURRENCY,
  DATABASE_URL,
  DB,
  EVENTS,
  LANES,
  PG_BASE,
  REDIS_PREFIX,
  REDIS_URL,
  REPOS,
  ROOT,
  SCHEMA,
  TIMEOUT_MS,
  WORKERS,
  WRITERS,
} from "./pipeline/config.js";
import { TEAMS } from "./pipeline/deliveries.js";
import { report } from "./pipeline/report.js";
import { workload } from "./pipeline/workload.js";
import { deleteRedisPrefix } from "./redis-prefix.js";

const children = new Set<ChildProcess>();
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const db = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
let dbConnected = false;

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await Promise.all([...children].map((c) => stopChild(c)));
  await deleteRedisPrefix(REDIS_URL, REDIS_PREFIX);
  redis.disconnect();
  if (dbConnected) {
    await dropBenchSchema(db, SCHEMA);
    await db.end();
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));

const q = (sql: string) => db.query(sql).then((r) => r.rows);

try {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  console.log(
    `machine: ${cpus.length} cores, ${cpus[0]?.model.trim()}, node ${process.version}, ` +
      `${os.platform()} ${os.release()}, load average ${load}`,
  );
  console.log(
    `setup: ${EVENTS} events, ${REPOS} repositories, ${TEAMS.length} Linear teams, ${WORKERS} worker processes, ` +
      `${WRITERS} writers each, batches of up to ${BATCH_SIZE}, ${CONCURRENCY} jobs in flight each ` +
      `(src/main.ts ROLE=worker)`,
  );

  const cfg = loadConfig({}); // the defaults a receiver runs with: attempts, backoff, dedupe TTL
  await migrate(DATABASE_URL); // creates the database if needed, then the private schema
  await db.connect();
  dbConnected = true;
  await db.query(`SET search_path TO "${SCHEMA}"`);

  const t = performance.now();
  const pending = await workload(EVENTS);
  const mix = new Map<string, number>();
  for (const p of pending) mix.set(p.type, (mix.get(p.type) ?? 0) + 1);
  console.log(
    `workload built in ${((performance.now() - t) / 1000).toFixed(1)} s: ${[...mix]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );

  // Workers first, each in its own process; ready once all of them are connected to the queue.
  const ingest = createIngestQueue({
    connection: redis,
    prefix: REDIS_PREFIX,
    attempts: cfg.JOB_ATTEMPTS,
    backoffMs: cfg.JOB_BACKOFF_MS,
    dedupeTtlSeconds: cfg.DEDUPE_TTL_SECONDS,
    enqueueTimeoutMs: cfg.ENQUEUE_TIMEOUT_MS,
  });
  const workerEnv = {
    ...process.env,
    ROLE: "worker",
    PORT: "0",
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX,
    LOG_LEVEL: "warn",
    WORKER_CONCURRENCY: String(CONCURRENCY),
    WORKER_BATCH_SIZE: String(BATCH_SIZE),
    WORKER_WRITERS: String(WRITERS),
  };
  await spawnWorkers({
    root: ROOT,
    count: WORKERS,
    env: workerEnv,
    // WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": a CPU profile of each worker.
    nodeArgs: process.env.WORKER_NODE_ARGS?.split(" ").filter(Boolean),
    children,
    stopping: () => cleaned,
    queue: ingest.queue,
  });

  // Enqueue everything as fast as possible. Each job gets exactly what enqueue() gives it (job id,
  // priority, deduplication) on top of the queue's default options, which addBulk merges in too.
  // A few addBulk calls in flight overlap building a batch with Redis running the previous one
  // (about 1.5x the rate of one at a time here).
  const t0 = Date.now();
  let next = 0;
  const lane = async () => {
    while (next < pending.length) {
      const batch = pending.slice(next, (next += BATCH));
      const jobs = batch.map((p) => {
        const d: Delivery = { id: uuidv7(), receivedAt: new Date().toISOString(), ...p };
        const opts = {
          jobId: d.id,
          priority: JOB_PRIORITY[d.priority],
          deduplication: { id: `${d.platform}:${d.deliveryId}`, ttl: cfg.DEDUPE_TTL_SECONDS * 1000 },
        };
        return { name: d.type, data: d, opts };
      });
      await ingest.queue.addBulk(jobs);
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  const enqueueS = (Date.now() - t0) / 1000;
  console.log(`enqueued ${pending.length} in ${enqueueS.toFixed(1)} s (${(pending.length / enqueueS).toFixed(0)}/s)`);

  // Poll until everything is stored (stored and correlated commit together), a job has failed
  // for good, or the time bound passes.
  let stored = 0;
  let failed = 0;
  let lastReport = Date.now();
  while (true) {
    stored = Number((await q("SELECT count(*) AS n FROM events"))[0].n);
    failed = (await ingest.queue.getJobCounts("failed")).failed ?? 0;
    if (stored + failed >= EVENTS || Date.now() - t0 > TIMEOUT_MS) break;
    if (Date.now() - lastReport >= 15_000) {
      lastReport = Date.now();
      console.log(`  … ${stored} stored after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    await sleep(500); // count(*) is cheap but not free on 2 shared cores
  }
  await ingest.queue.close();

  const complete = await report(db, t0, failed);
  if (!complete) process.exitCode = 1;
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
