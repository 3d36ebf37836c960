/**
 * Scaling benchmark: how throughput grows with processes, stage by stage, and what each event costs in
 * CPU in node, PostgreSQL and Redis, measured in the same run (docs/scaling.md turns these into a
 * capacity model). For each Redis target (scale/targets.ts) and each worker step (1, 2, 4 processes):
 *  1. receive: SCALE_EVENTS seeded deliveries (bench/pipeline's generator, signed as senders sign them)
 *     are POSTed round-robin to 1 or 2 `ROLE=web` processes on their own ports, with no worker running;
 *     timed from the first request to the last 202. The third fill (for 4 workers) is printed too.
 *  2. pipeline: the queue they filled is paused, k `ROLE=worker` processes start, and once all are
 *     connected it is resumed; timed until every accepted delivery is stored and correlated (last stored_at).
 * Each step gets its own schema (in a database of the run's own) and Redis prefix; CPU is read from /proc before and after (scale/cpu.ts); the
 * pipeline steps also give WAL bytes and disk bytes (tables, indexes, TOAST) per stored event.
 * Loopback only; bounded (SCALE_TIMEOUT_S a step, the whole run 10 min); leaves nothing behind
 * (processes stopped, the database dropped, the private redis-server and its directory removed), also on failure.
 * Run: npm run bench:scale. Env: SCALE_EVENTS (6000 a step), BENCH_SEED (a fixed workload),
 * SCALE_REPOS (200), SCALE_TIMEOUT_S (120), KEEP=1 (keep the database), BENCH_PG_BASE (another PostgreSQL).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { migrate } from "../src/store/migrate.js";
import { dropBenchSchema, freePort, spawnWorkers, stopChild, waitHttp } from "./lifecycle.js";
import { DEPLOY_SECRET, PG_BASE, ROOT, SECRET, SEED } from "./pipeline/config.js";
import { workload } from "./pipeline/workload.js";
import { CpuMeter, perThousand } from "./scale/cpu.js";
import { report, type Row } from "./scale/report.js";
import { sendAll } from "./scale/send.js";
import { redisTargets, type RedisTarget } from "./scale/targets.js";

const EVENTS = Number(process.env.SCALE_EVENTS ?? 6000);
// As many repositories as bench/pipeline's default run (200): with fewer, more workers would mostly wait
// on each other's repository locks, an artefact of a small run rather than what production sees.
const REPOS = Number(process.env.SCALE_REPOS ?? 200);
const WORKER_STEPS = [1, 2, 4];
const WEB_STEPS = [1, 2]; // the fill of worker step i runs WEB_STEPS[i] (the last one for later steps)
const IN_FLIGHT = 16; // requests in flight per web process
const STEP_TIMEOUT_MS = Number(process.env.SCALE_TIMEOUT_S ?? 120) * 1000;
const DEADLINE_MS = 600_000;
const run = randomBytes(4).toString("hex");
// A database of its own, dropped at the end: PostgreSQL's CPU is counted for this database's backends only
// (scale/cpu.ts), so other benchmarks and tests on the same server do not count.
const DB = `switchyard_scale_${run}`;

const children = new Set<ChildProcess>();
const targets: RedisTarget[] = [];
const db = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
db.on("error", () => undefined); // a connection cut while aborting: the next query says so
let dbConnected = false;
let aborted = false;
let cleaned = false;

/** Throws once the bench is aborting (signal or deadline), so that the run unwinds into its cleanup. */
function checkAborted() {
  if (aborted) throw new Error("aborted");
}

/** Each part on its own, so that one failing leaves the others to run. */
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await Promise.all([...children].map((c) => stopChild(c)));
  for (const target of targets) await target.stop().catch((e: Error) => console.error(`stop redis: ${e.message}`));
  if (dbConnected) await db.end().catch(() => undefined);
  if (process.env.KEEP === "1") console.log(`kept database ${DB}`);
  else {
    const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
    admin.on("error", () => undefined);
    await admin
      .connect()
      .then(() => admin.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`))
      .catch((e: Error) => console.error(`drop database ${DB}: ${e.message}`))
      .finally(() => admin.end().catch(() => undefined));
  }
}

/** Ctrl-C or the deadline: stop the service processes and let the run unwind into cleanup (forced after 30 s). */
function abort(code: number) {
  if (aborted) return;
  aborted = true;
  process.exitCode = code;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => void cleanup().finally(() => process.exit(code)), 30_000).unref();
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => abort(130));
setTimeout(() => {
  console.error(`bench: still running after ${DEADLINE_MS / 1000} s, stopping`);
  abort(1);
}, DEADLINE_MS).unref();

/** The environment every service process of a step shares: its schema, its Redis prefix, the senders' secrets. */
function stepEnv(target: RedisTarget, prefix: string, schema: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...target.env(prefix),
    DATABASE_URL: `${PG_BASE}/${DB}?schema=${schema}`,
    LOG_LEVEL: "error", // not the startup report's warnings about receivers and senders the bench does not use
    GITHUB_WEBHOOK_SECRET: SECRET,
    SLACK_SIGNING_SECRET: SECRET,
    LINEAR_WEBHOOK_SECRET: SECRET,
    DEPLOY_WEBHOOK_SECRET: DEPLOY_SECRET,
  };
}

/** `count` web processes (the same entry point as the workers: tsx src/main.ts), each on its own port. */
async function startWebs(count: number, env: NodeJS.ProcessEnv): Promise<{ procs: ChildProcess[]; ports: number[] }> {
  const ports = await Promise.all(Array.from({ length: count }, freePort));
  const procs = ports.map((port) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: { ...env, ROLE: "web", PORT: String(port) },
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.add(child);
    child.once("exit", () => children.delete(child));
    return child;
  });
  await Promise.all(
    procs.map((p, i) => waitHttp(p, ports[i]!, "/readyz", 200, { timeoutMs: 60_000, check: checkAborted })),
  );
  return { procs, ports };
}

/** Receive stage: SCALE_EVENTS deliveries accepted by `count` web processes; they stay queued for the next step. */
async function receive(target: RedisTarget, count: number, env: NodeJS.ProcessEnv): Promise<Row> {
  // Generated just before sending: Linear's and Slack's signatures carry a time the receivers check.
  const deliveries = await workload(EVENTS, REPOS);
  const { procs, ports } = await startWebs(count, env);
  const meter = new CpuMeter(
    procs.map((p) => p.pid!),
    DB,
    target.cpuSeconds,
  );
  meter.start();
  const sent = await sendAll(deliveries, ports, IN_FLIGHT);
  const used = meter.stop();
  await Promise.all(procs.map((p) => stopChild(p)));
  const rejected = Object.entries(sent.rejected);
  if (rejected.length || sent.retried)
    console.log(`  receive ×${count}: ${sent.retried} retried after 503, rejected ${JSON.stringify(sent.rejected)}`);
  return {
    target: target.name,
    stage: "receive",
    processes: count,
    events: sent.accepted,
    seconds: sent.seconds,
    complete: sent.accepted === deliveries.length,
    cpu: perThousand(used, sent.accepted),
  };
}

/** Pipeline stage: `count` worker processes drain the `expected` deliveries waiting under `prefix` into `schema`. */
async function pipeline(
  target: RedisTarget,
  count: number,
  env: NodeJS.ProcessEnv,
  prefix: string,
  schema: string,
  expected: number,
): Promise<Row> {
  const queues = target.ingestQueues(prefix);
  let done = false; // the workers are stopped below: not "exited early"
  try {
    // Paused while the workers start, so that the clock starts with all of them connected.
    await Promise.all(queues.map((q) => q.pause()));
    const workers = await spawnWorkers({
      root: ROOT,
      count,
      env: { ...env, ROLE: "worker", PORT: "0" },
      children,
      stopping: () => aborted || done,
      queue: queues[0]!,
    });
    const meter = new CpuMeter(
      workers.map((w) => w.pid!),
      DB,
      target.cpuSeconds,
    );
    const wal0 = (await db.query("SELECT pg_current_wal_lsn() AS lsn")).rows[0].lsn as string;
    meter.start();
    const t0 = Date.now();
    await Promise.all(queues.map((q) => q.resume()));
    let stored = 0;
    let failed = 0;
    while (true) {
      checkAborted();
      stored = Number((await db.query(`SELECT count(*) AS n FROM "${schema}".events`)).rows[0].n);
      const counts = await Promise.all(queues.map((q) => q.getJobCounts("failed")));
      failed = counts.reduce((n, c) => n + (c.failed ?? 0), 0);
      if (stored + failed >= expected || Date.now() - t0 > STEP_TIMEOUT_MS) break;
      await sleep(250);
    }
    const used = meter.stop();
    // WAL is the whole server's (other databases' writes count too); disk is the schema's tables, indexes, TOAST.
    const [bytes] = (
      await db.query(
        `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::float8 AS wal,
                (SELECT sum(pg_total_relation_size(c.oid))::float8 FROM pg_class c
                   JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $2 AND c.relkind = 'r') AS disk`,
        [wal0, schema],
      )
    ).rows;
    const last = (
      await db.query(`SELECT extract(epoch FROM max(stored_at))::float8 * 1000 AS t FROM "${schema}".events`)
    ).rows[0].t as number | null;
    done = true;
    await Promise.all(workers.map((w) => stopChild(w)));
    if (stored < expected) console.log(`  pipeline ×${count}: ${stored} of ${expected} stored, ${failed} failed`);
    return {
      target: target.name,
      stage: "pipeline",
      processes: count,
      events: stored,
      seconds: ((last ?? Date.now()) - t0) / 1000,
      complete: stored === expected,
      cpu: perThousand(used, stored),
      bytesPerEvent: { wal: bytes.wal / Math.max(1, stored), disk: bytes.disk / Math.max(1, stored) },
    };
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

try {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores, ${cpus[0]?.model.trim()}, node ${process.version}, load average ` +
      `${os.loadavg()[0]!.toFixed(1)} (other work on the machine skews rates; CPU per event is steadier)`,
  );
  console.log(
    `setup: ${EVENTS} events a step, ${REPOS} repositories, receive with ${IN_FLIGHT} requests in ` +
      `flight per web process, pipeline with the service's worker defaults, seed ${SEED ?? "random"}`,
  );
  const rows: Row[] = [];
  for (const [t, start] of redisTargets.entries()) {
    const target = await start();
    targets.push(target);
    for (const [i, workers] of WORKER_STEPS.entries()) {
      checkAborted();
      const prefix = `bench-scale-${run}-${t}-${i}`; // the target's server is private: stopping it removes the keys
      const schema = `scale_${t}_${i}`;
      const env = stepEnv(target, prefix, schema);
      await migrate(env.DATABASE_URL!); // creates the run's database at the first step
      if (!dbConnected) await db.connect().then(() => (dbConnected = true));
      const webs = WEB_STEPS[i] ?? WEB_STEPS.at(-1)!;
      const filled = await receive(target, webs, env);
      checkAborted();
      rows.push(filled);
      console.log(`  ${target.name}: receive ×${webs} ${(filled.events / filled.seconds).toFixed(0)} events/s`);
      const drained = await pipeline(target, workers, env, prefix, schema, filled.events);
      rows.push(drained);
      console.log(`  ${target.name}: pipeline ×${workers} ${(drained.events / drained.seconds).toFixed(0)} events/s`);
      await dropBenchSchema(db, schema); // the next step's disk figure is its own
    }
  }
  report(rows, { events: EVENTS, repos: REPOS, seed: SEED ?? null, inFlightPerWeb: IN_FLIGHT });
  console.log(`whole run: ${(performance.now() / 1000).toFixed(0)} s`);
  if (rows.some((r) => !r.complete)) process.exitCode = 1;
} catch (err) {
  console.error(aborted ? "bench aborted" : `bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = aborted ? process.exitCode : 1;
} finally {
  await cleanup();
}
