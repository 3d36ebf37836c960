/**
 * Outbound benchmark (contract §9): webhook deliveries/s, and latency from an event stored (its outbox
 * row's created_at) to its delivery (the receiver's clock). Stored events are fanned out by the
 * relay of WORKERS real service processes (ROLE=worker) to 3 webhook subscriptions on a loopback
 * receiver (bench/outbound-receiver.ts, its own process) that verifies every signature.
 *   1. ceiling: the bare receiver's rate (autocannon, signed requests, verified, nothing else);
 *   2. burst: EVENTS events stored in one transaction, fanned out 3×: deliveries/s (target ≥ 6,000
 *      with one worker process, and ≥ 20 % of the ceiling) and the worker processes' CPU per 1,000
 *      deliveries (target ≤ 100 ms);
 *   2b. throttled (bench/outbound-throttled.ts): a subscription limited to THROTTLED_RATE/s: its rate's accuracy;
 *   3. paced: RATE events/s for PACED_S seconds: p50/p95/p99 (target p95 ≤ 100 ms);
 *   4. paced again, with a 4th subscription whose receiver (another host, 127.0.0.2) never answers
 *      (issue 21): the healthy subscriptions' p95 beside it, against step 3's (target: unchanged).
 * The last figure line is `ratio: N %`, the burst's rate over the ceiling.
 * Leaves nothing behind (children stopped, schema dropped, Redis prefix deleted).
 * Run: npx tsx bench/outbound.ts
 * Env: EVENTS (10000), THROTTLED (1000), THROTTLED_RATE (200), WORKERS (1), RATE (200), PACED_S (15), OUTBOUND_CONCURRENCY (the service's default),
 * WORKER_NODE_ARGS (extra node flags for the workers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), KEEP=1 (keep
 * schema).
 */
import { cpuSeconds, dropBenchSchema, spawnWorkers, stopChild } from "./lifecycle.js";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { OUTBOUND_QUEUE } from "../src/outbound/delivery/queue.js";
import { loadConfig } from "../src/shared/config.js";
import { migrate } from "../src/store/migrate.js";
import { RELAY_CHANNEL } from "../src/store/outbox.js";
import { deleteRedisPrefix } from "./redis-prefix.js";
import { deployRequest } from "../kit/sign.js";
import { throttledRun } from "./outbound-throttled.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = env("EVENTS", 10_000);
const WORKERS = env("WORKERS", 1);
const RATE = env("RATE", 200);
const PACED_S = env("PACED_S", 15);
const { OUTBOUND_CONCURRENCY: CONCURRENCY, OUTBOUND_TIMEOUT_MS: TIMEOUT_MS } = loadConfig(process.env);
const SUBSCRIPTIONS = ["/a", "/b", "/c"];
const TARGET_RATE = 6000; // deliveries/s, one worker process
const TARGET_RATIO = 0.2; // of the bare receiver's rate
const TARGET_CPU_MS = 100; // worker CPU per 1,000 deliveries
const TARGET_P95_MS = 100;
const DEADLINE_MS = 600_000;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const run = randomBytes(4).toString("hex");
const REDIS_URL = "redis://127.0.0.1:6379";
const REDIS_PREFIX = `bench-outbound-${run}`;
const PG_BASE = "postgresql://postgres@127.0.0.1:5432";
const DB = "switchyard_bench";
const SCHEMA = `outbound_${run}`;
const DATABASE_URL = `${PG_BASE}/${DB}?schema=${SCHEMA}`;
const secrets = Object.fromEntries(SUBSCRIPTIONS.map((p) => [p, `whsec_${randomBytes(32).toString("base64")}`]));

const children = new Set<ChildProcess>();
/** Step 4's receiver: reads each request and never answers (until the end). */
const held = new Set<ServerResponse>();
let hangingRequests = 0;
let mostHeld = 0;
const hanging = createServer((req, res) => {
  req.resume();
  hangingRequests++;
  held.add(res);
  mostHeld = Math.max(mostHeld, held.size);
  res.on("close", () => held.delete(res));
});
function closeHanging() {
  if (!hanging.listening) return;
  for (const res of held) res.destroy();
  hanging.closeAllConnections();
  hanging.close();
}
const db = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
let dbConnected = false;

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  closeHanging();
  await Promise.all([...children].map((c) => stopChild(c)));
  await deleteRedisPrefix(REDIS_URL, REDIS_PREFIX);
  if (dbConnected) {
    await dropBenchSchema(db, SCHEMA);
    await db.end();
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
setTimeout(() => {
  console.error(`bench: still running after ${DEADLINE_MS / 1000} s, stopping`);
  void cleanup().finally(() => process.exit(1));
}, DEADLINE_MS).unref();

// ---- the receiver ----

interface Counts {
  count: number;
  duplicates: number;
  badSignatures: number;
  firstAt: number;
  lastAt: number;
  latencies?: number[];
}
let receiver: ChildProcess;
async function ask<T>(cmd: string): Promise<T> {
  const answer = once(receiver, "message") as Promise<[T]>;
  receiver.send({ cmd });
  return (await answer)[0];
}

async function startReceiver(): Promise<number> {
  receiver = spawn(process.execPath, ["--import", "tsx", "bench/outbound-receiver.ts"], {
    cwd: ROOT,
    env: { ...process.env, SECRETS: JSON.stringify(secrets) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(receiver);
  const [message] = (await once(receiver, "message")) as [{ ready: number }];
  return message.ready;
}

/** The bare receiver's rate: signed requests (one body), verified and answered, nothing kept. */
async function ceiling(port: number): Promise<number> {
  const message = { type: "deploy.succeeded", timestamp: new Date().toISOString(), data: sampleData() };
  // Signed as Standard Webhooks, as the workers sign (kit/sign.ts).
  const { body, headers } = deployRequest(message, secrets["/a"]!, uuidv7());
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/ceiling`,
    method: "POST",
    connections: CONCURRENCY,
    duration: 5,
    headers,
    body,
  });
  if (result.non2xx) throw new Error(`ceiling: ${result.non2xx} answers were not 2xx`);
  return result.requests.average;
}

/** About what the relay sends for an event: the unified event without its payload. */
const sampleData = () => ({
  id: uuidv7(),
  platform: "deploy",
  type: "deploy.succeeded",
  deliveryId: uuidv7(),
  occurredAt: new Date().toISOString(),
  receivedAt: new Date().toISOString(),
  actor: "bench",
  subject: "deploy:acme/api:production:d-1",
  keys: ["repo:acme/api", "deploy:acme/api:production:d-1"],
  priority: "normal",
});

// ---- events ----

/** Stores `n` events (raw delivery, event, outbox row) in one transaction, waking the relay on commit. */
async function storeEvents(n: number, environment = "production"): Promise<void> {
  const ids = Array.from({ length: n }, () => uuidv7());
  await db.query("BEGIN");
  await db.query(
    `WITH ids AS (SELECT unnest($1::uuid[]) AS id),
     raw AS (
       INSERT INTO raw_deliveries
         (id, platform, delivery_id, received_at, content_type, headers, body, type, priority)
       SELECT id, 'deploy', id::text, now(), 'application/json', '{}'::jsonb, '{}', 'deploy.succeeded', 'normal'
       FROM ids RETURNING id),
     ev AS (
       INSERT INTO events
         (id, platform, type, delivery_id, occurred_at, received_at, actor, subject, keys, priority, payload)
       SELECT id, 'deploy', 'deploy.succeeded', id::text, now(), now(), 'bench', 'deploy:acme/api:production:' || id,
         ARRAY['repo:acme/api', 'deploy:acme/api:production:' || id], 'normal', '{}'::jsonb FROM raw
       RETURNING id)
     INSERT INTO outbox (id, kind, type, platform, repository, environment, subject)
     SELECT id, 'event', 'deploy.succeeded', 'deploy', 'acme/api', $2, 'deploy:acme/api:production:' || id
     FROM ev`,
    [ids, environment],
  );
  await db.query(`SELECT pg_notify($1, '')`, [RELAY_CHANNEL]);
  await db.query("COMMIT");
}

/** Waits until the receiver has `expected` distinct messages (or no progress for 30 s). */
async function delivered(expected: number): Promise<Counts> {
  let last = -1;
  let lastChange = Date.now();
  let lastReport = Date.now();
  for (;;) {
    const c = await ask<Counts>("count");
    if (Date.now() - lastReport >= 2000) {
      lastReport = Date.now();
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM outbound_messages`);
      console.log(`  … ${c.count} delivered, ${rows[0].n} messages made so far`);
    }
    if (c.count >= expected) return ask<Counts>("stats");
    if (c.count !== last) [last, lastChange] = [c.count, Date.now()];
    if (Date.now() - lastChange > 30_000) {
      console.log(`  stalled at ${c.count} of ${expected}`);
      return ask<Counts>("stats");
    }
    await sleep(100);
  }
}

const workerPids: number[] = [];
const cpuOf = () => ({
  workers: workerPids.reduce((n, pid) => n + cpuSeconds(pid), 0),
  receiver: cpuSeconds(receiver.pid),
});

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
function latencyLine(latencies: number[]): { line: string; p95: number } {
  const s = [...latencies].sort((a, b) => a - b);
  const p95 = pct(s, 95);
  return { p95, line: `p50 ${pct(s, 50)} ms, p95 ${p95} ms, p99 ${pct(s, 99)} ms, max ${s.at(-1)} ms` };
}

try {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores, ${cpus[0]?.model.trim()}, node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `setup: ${EVENTS} events × ${SUBSCRIPTIONS.length} webhook subscriptions, ${WORKERS} worker process(es) ` +
      `(src/main.ts ROLE=worker), ${CONCURRENCY} sends in flight each; receiver verifies every signature`,
  );
  await migrate(DATABASE_URL);
  await db.connect();
  dbConnected = true;
  await db.query(`SET search_path TO "${SCHEMA}"`);

  const port = await startReceiver();
  const bare = await ceiling(port);
  console.log(`ceiling: bare receiver (verify + 204), ${CONCURRENCY} connections: ${bare.toFixed(0)} requests/s`);

  for (const path of SUBSCRIPTIONS)
    await db.query(
      `INSERT INTO subscriptions (id, name, kind, url, types, "where", enabled, secrets)
       VALUES ($1, $2, 'webhook', $3, ARRAY['deploy.*'], '{"environment": "prod*"}', true, ARRAY[$4])`,
      [uuidv7(), `bench${path.replace("/", "-")}`, `http://127.0.0.1:${port}${path}`, secrets[path]],
    );

  const workerEnv = {
    ...process.env,
    ROLE: "worker",
    PORT: "0",
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX,
    LOG_LEVEL: "warn",
    OUTBOUND_ALLOW_PRIVATE: "true",
    OUTBOUND_CONCURRENCY: String(CONCURRENCY),
    // Workers seal the subscriptions inserted above at start and open them for every send, as in production.
    SECRETS_KEYS: `bench:${randomBytes(32).toString("base64")}`,
  };
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const outbound = new Queue(OUTBOUND_QUEUE, { connection: redis, prefix: REDIS_PREFIX });
  const workers = await spawnWorkers({
    root: ROOT,
    count: WORKERS,
    env: workerEnv,
    nodeArgs: (process.env.WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean),
    children,
    stopping: () => cleaned,
    queue: outbound,
  });
  workerPids.push(...workers.map((w) => w.pid!));
  await outbound.close();
  redis.disconnect();

  // Warm-up: a few events through the whole path (connections, prepared statements, JIT).
  await storeEvents(100);
  await delivered(100 * SUBSCRIPTIONS.length);
  await ask("reset");

  // Burst.
  const expected = EVENTS * SUBSCRIPTIONS.length;
  const cpu0 = cpuOf();
  const t0 = Date.now();
  await storeEvents(EVENTS);
  const stored = Date.now();
  const burst = await delivered(expected);
  const seconds = (burst.lastAt - t0) / 1000;
  const rate = burst.count / seconds;
  const sustained = burst.count / ((burst.lastAt - burst.firstAt) / 1000);
  const burstMet = rate >= TARGET_RATE && rate >= TARGET_RATIO * bare ? "met" : "MISSED";
  console.log(
    `burst: ${EVENTS} events stored in ${((stored - t0) / 1000).toFixed(1)} s; ` +
      `${burst.count} of ${expected} deliveries by ${seconds.toFixed(1)} s after the insert began: ` +
      `${rate.toFixed(0)} deliveries/s (${((rate / bare) * 100).toFixed(0)} % of the ceiling; ` +
      `first to last delivery ${sustained.toFixed(0)}/s) — ` +
      `target ≥ ${TARGET_RATE}${WORKERS === 1 ? "" : " (for one worker process)"} ` +
      `and ≥ ${TARGET_RATIO * 100} % of the ceiling: ${burstMet}`,
  );
  console.log(
    `  stored → delivered: ${latencyLine(burst.latencies!).line} (a backlog: the last waits for all before it)`,
  );
  const cpu1 = cpuOf();
  const perK = (a: number, b: number) => ((b - a) / burst.count) * 1000 * 1000;
  const workerCpu = perK(cpu0.workers, cpu1.workers);
  console.log(
    `  CPU per 1,000 deliveries: worker processes (relay included) ${workerCpu.toFixed(0)} ms, ` +
      `receiver ${perK(cpu0.receiver, cpu1.receiver).toFixed(0)} ms; ` +
      `machine load average ${os.loadavg()[0]!.toFixed(1)} — ` +
      `target ≤ ${TARGET_CPU_MS} ms: ${workerCpu <= TARGET_CPU_MS ? "met" : "MISSED"}`,
  );
  console.log(`  duplicates ${burst.duplicates}, bad signatures ${burst.badSignatures}`);
  await ask("reset");

  console.log(await throttledRun(db, storeEvents));

  // Paced: RATE events/s in ticks of 50 ms.
  const tick = 50;
  const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
  const ticks = Math.round((PACED_S * 1000) / tick);
  async function pacedRun() {
    const start = Date.now();
    for (let i = 0; i < ticks; i++) {
      await storeEvents(perTick);
      const wait = start + (i + 1) * tick - Date.now();
      if (wait > 0) await sleep(wait);
    }
    return delivered(ticks * perTick * SUBSCRIPTIONS.length);
  }
  const paced = await pacedRun();
  const { line, p95 } = latencyLine(paced.latencies!);
  console.log(
    `paced: ${((ticks * perTick) / PACED_S).toFixed(0)} events/s for ${PACED_S} s (${paced.count} deliveries): ` +
      `stored → delivered ${line} — target p95 ≤ ${TARGET_P95_MS} ms: ${p95 <= TARGET_P95_MS ? "met" : "MISSED"}`,
  );
  console.log(`  duplicates ${paced.duplicates}, bad signatures ${paced.badSignatures}`);
  await ask("reset");

  // Paced again, beside a 4th subscription on a receiver that never answers (issue 21).
  hanging.listen(0, "127.0.0.2");
  await once(hanging, "listening");
  const hangingUrl = `http://127.0.0.2:${(hanging.address() as { port: number }).port}/hang`;
  await db.query(
    `INSERT INTO subscriptions (id, name, kind, url, types, "where", enabled, secrets)
     VALUES ($1, 'bench-hanging', 'webhook', $2, ARRAY['deploy.*'], '{"environment": "prod*"}', true, ARRAY[$3])`,
    [uuidv7(), hangingUrl, `whsec_${randomBytes(32).toString("base64")}`],
  );
  const beside = await pacedRun();
  const withHanging = latencyLine(beside.latencies!);
  console.log(
    `paced beside a receiver that never answers (a 4th subscription: ${hangingRequests} requests, ` +
      `at most ${mostHeld} held open at once, each until the ${TIMEOUT_MS} ms time limit): ` +
      `healthy stored → delivered ${withHanging.line}`,
  );
  console.log(`  duplicates ${beside.duplicates}, bad signatures ${beside.badSignatures}`);
  console.log(
    `  healthy p95 ${withHanging.p95} ms beside it, ` +
      `${p95} ms without (${((withHanging.p95 / p95) * 100).toFixed(0)} % of it) — ` +
      `target p95 ≤ ${TARGET_P95_MS} ms: ${withHanging.p95 <= TARGET_P95_MS ? "met" : "MISSED"}`,
  );
  closeHanging();

  const statuses = await db.query(
    `SELECT status, count(*)::int AS n, sum(CASE WHEN attempts > 1 THEN 1 ELSE 0 END)::int AS retried
     FROM outbound_messages GROUP BY status ORDER BY status`,
  );
  const statusParts = statuses.rows.map((r) => `${r.status} ${r.n}${r.retried ? ` (${r.retried} retried)` : ""}`);
  console.log(`messages: ${statusParts.join(", ")}`);
  console.log(`burst over the bare receiver: ${rate.toFixed(0)} of ${bare.toFixed(0)} per second`);
  console.log(`ratio: ${((rate / bare) * 100).toFixed(0)} %`);
  if (
    rate < TARGET_RATE ||
    rate < TARGET_RATIO * bare ||
    workerCpu > TARGET_CPU_MS ||
    p95 > TARGET_P95_MS ||
    withHanging.p95 > TARGET_P95_MS ||
    burst.badSignatures ||
    paced.badSignatures ||
    beside.badSignatures ||
    burst.duplicates ||
    paced.duplicates ||
    beside.duplicates
  )
    process.exitCode = 1;
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
