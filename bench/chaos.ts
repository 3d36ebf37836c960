/**
 * Chaos bench (issue #7, item 10): does every delivery answered 202 end up stored, once, when a
 * process, Redis or PostgreSQL fails under load? For each scenario the service runs as separate
 * processes (one ROLE=web, two ROLE=worker) against a private redis-server (AOF, fsync every
 * second) and, through a TCP proxy that can refuse connections, the machine's PostgreSQL. A steady
 * stream of signed deliveries (GitHub, Slack, Linear, deploy; a few redeliveries of the same
 * delivery id) is sent; the fault is injected mid-stream and healed; the queue is left to drain;
 * then the database and the senders' log are compared.
 *
 * Scenarios: worker-kill (kill -9 a worker with full batches in flight, restarted 3 s later), web-kill (kill -9 the web process,
 * restarted), redis-kill (SIGKILL redis-server, restarted on its port and directory), redis-hang
 * (SIGSTOP Redis for 5 s), pg-refuse (PostgreSQL refuses connections for 20 s, open ones reset),
 * worker-sigterm (SIGTERM a worker with full batches in flight, restarted).
 *
 * Run: npx tsx bench/chaos.ts   (not part of npm test; ~5 minutes for all six)
 * Env: SCENARIOS (comma list of names or 1–6; all), RATE (deliveries/s, 250), SECONDS (of sending
 * around the fault, 12; longer when the fault lasts longer), TIMEOUT_S (drain bound per scenario,
 * 120), PG_DOWN_S (20), USE_DIST=1 (run node dist/main.js instead of src/ via tsx), KEEP=1 (keep
 * schemas, logs and the Redis directory).
 * Exits non-zero if any accepted delivery was lost or any delivery stored twice.
 * Leaves nothing behind: its processes stopped, its redis-server stopped, its keys, schemas and
 * temporary directory removed. Traffic stays on 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { freePort } from "./lifecycle.js";
import { deleteRedisPrefix } from "./redis-prefix.js";
import { startPgProxy, type PgProxy } from "./chaos/pg-proxy.js";
import {
  alive,
  killAllNow,
  onSpawn,
  signal,
  spawnService,
  stopAll,
  summarizeLog,
  waitHttpOk,
  type Proc,
} from "./chaos/processes.js";
import { startRedisServer, type RedisServer } from "./chaos/redis-server.js";
import { createSender, type Attempt, type Sender } from "./chaos/sender.js";
import { INGEST_QUEUE } from "../src/queue/ingest/queue.js";
import { migrate } from "../src/store/migrate.js";

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const RATE = num("RATE", 250);
const SECONDS = num("SECONDS", 12);
const TIMEOUT_S = num("TIMEOUT_S", 120);
const PG_DOWN_S = num("PG_DOWN_S", 20);
const KEEP = process.env.KEEP === "1";
const FAULT_AT_S = Math.min(4, SECONDS / 3);
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000]; // 6 attempts over ~15 s

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const run = randomBytes(3).toString("hex");
const PG_BASE = "postgresql://postgres@127.0.0.1:5432";
const DB = "switchyard_bench";
const SECRETS = {
  github: `chaos-gh-${run}`,
  slack: `chaos-slack-${run}`,
  linear: `chaos-linear-${run}`,
  deploy: `whsec_${Buffer.from(`chaos-deploy-secret-${run}-0123456789`).toString("base64")}`,
};

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

interface Ctx {
  web: Proc;
  /** The web process's port, the same across restarts. */
  webPort: number;
  workers: Proc[];
  redis: RedisServer;
  proxy: PgProxy;
  sender: Sender;
  queue: Queue;
  restartWeb(): Proc;
  restartWorker(i: number): Proc;
  mark(what: string): void;
}

interface Scenario {
  name: string;
  /** How long the fault lasts (the stream goes on at least 3 s past the heal). */
  faultS: number;
  inject(ctx: Ctx): Promise<void>;
}

const SCENARIOS: Scenario[] = [
  {
    name: "worker-kill",
    faultS: 3,
    async inject(c) {
      const active = await fillBatches(c);
      await signal(c.workers[0]!, "SIGKILL");
      c.mark(`burst of ${Math.round(RATE * 3)}; ${active} jobs active; worker 0 SIGKILL`);
      await sleep(3000);
      c.restartWorker(0);
      c.mark("worker 0 restarted");
    },
  },
  {
    name: "web-kill",
    faultS: 3,
    async inject(c) {
      await signal(c.web, "SIGKILL");
      c.mark("web SIGKILL");
      await sleep(3000);
      const web = c.restartWeb();
      c.mark("web restarted");
      const ms = await waitHttpOk(web, `http://127.0.0.1:${c.webPort}/readyz`, 30_000).catch(() => NaN);
      c.mark(`web ready after ${(ms / 1000).toFixed(1)} s`);
    },
  },
  {
    name: "redis-kill",
    faultS: 3,
    async inject(c) {
      await c.redis.kill();
      c.mark("redis SIGKILL");
      await sleep(3000);
      const ms = await c.redis.restart();
      c.mark(`redis restarted (AOF loaded, answering after ${(ms / 1000).toFixed(1)} s)`);
    },
  },
  {
    name: "redis-hang",
    faultS: 5,
    async inject(c) {
      c.redis.hang();
      c.mark("redis SIGSTOP");
      await sleep(5000);
      c.redis.resume();
      c.mark("redis SIGCONT");
    },
  },
  {
    name: "pg-refuse",
    faultS: PG_DOWN_S,
    async inject(c) {
      const open = c.proxy.stats.opened;
      await c.proxy.refuse();
      c.mark(`postgres refusing (${c.proxy.stats.reset} connections reset, ${open} opened so far)`);
      await sleep(Math.min(5000, (PG_DOWN_S * 1000) / 2));
      // The receivers need Redis only; does the web process still say it is ready?
      const ready = await fetch(`http://127.0.0.1:${c.webPort}/readyz`, {
        signal: AbortSignal.timeout(3000),
      }).then(
        async (r) => `${r.status} ${await r.text()}`,
        (e: Error) => e.message,
      );
      c.mark(`web /readyz → ${ready}`);
      await sleep(PG_DOWN_S * 1000 - Math.min(5000, (PG_DOWN_S * 1000) / 2));
      await c.proxy.accept();
      c.mark("postgres accepting");
    },
  },
  {
    name: "worker-sigterm",
    faultS: 3,
    async inject(c) {
      const active = await fillBatches(c);
      c.mark(`burst of ${Math.round(RATE * 3)}; ${active} jobs active; worker 0 SIGTERM`);
      const { ms, killed } = await signal(c.workers[0]!, "SIGTERM", 30_000);
      const exit = c.workers[0]!.exit;
      c.mark(
        `worker 0 exited after ${(ms / 1000).toFixed(1)} s (${killed ? "SIGKILLed after 30 s" : `code ${exit?.code ?? exit?.signal}`})`,
      );
      await sleep(3000);
      c.restartWorker(0);
      c.mark("worker 0 restarted");
    },
  },
];

/**
 * A burst of 3 s worth of deliveries at once, then waits (up to 5 s) until at least 300 jobs are
 * active, so that both workers hold full batches (of up to 200) when the fault comes.
 */
async function fillBatches(c: Ctx): Promise<number> {
  c.sender.burst(Math.round(RATE * 3));
  let active = 0;
  for (const until = Date.now() + 5000; Date.now() < until; await sleep(20)) {
    active = (await c.queue.getJobCounts("active")).active ?? 0;
    if (active >= 300) break;
  }
  return active;
}

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

interface Row {
  scenario: string;
  sent: number;
  accepted: number;
  refused: number;
  gaveUp: number;
  stored: number;
  unprocessable: number;
  lost: number;
  duplicated: number;
  drainS: number | null;
  notes: string[];
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "switchyard-chaos-"));

// A detached reaper cleans up after us if this process dies before its own cleanup (SIGKILL, or
// tsx SIGKILLing it on a second Ctrl-C): it is told every pid, schema and directory made here.
const reaper = spawn(process.execPath, ["--import", "tsx", "bench/chaos/reaper.ts", `${PG_BASE}/${DB}`], {
  cwd: ROOT,
  detached: true,
  stdio: ["pipe", "ignore", "inherit"],
});
reaper.unref();
reaper.stdin!.on("error", () => undefined);
const tell = (m: object) => void reaper.stdin!.write(`${JSON.stringify(m)}\n`);
if (!KEEP) tell({ dir: tmp });
onSpawn((pid) => tell({ pid }));
const prefixes: string[] = [];
const schemas: string[] = [];
let redis: RedisServer | undefined;
let proxy: PgProxy | undefined;
let admin: pg.Client | undefined;
let activeSender: Sender | undefined;
let aborted = false;

/** The one connection to the bench database (public schema) that counts rows and drops schemas; cleanup() ends it. */
async function adminClient(): Promise<pg.Client> {
  if (!admin) {
    const client = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
    await client.connect();
    admin = client;
  }
  return admin;
}

let cleaned: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    activeSender?.abort();
    activeSender?.close();
    redis?.resume(); // a hung Redis would hold up the processes' shutdown
    await stopAll(10_000).catch((e: Error) => console.error(`stop processes: ${e.message}`));
    // The keys go with the server's directory anyway; deleted first, for KEEP=1 (which keeps it).
    if (redis?.running) {
      redis.resume();
      for (const prefix of prefixes) {
        await deleteRedisPrefix(redis.url, prefix).catch((e: Error) =>
          console.error(`delete redis keys ${prefix}: ${e.message}`),
        );
      }
    }
    await redis?.stop().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    if (!admin && schemas.length) await adminClient().catch(() => undefined);
    if (admin) {
      for (const schema of schemas) {
        if (KEEP) console.log(`kept schema ${schema} in ${DB}`);
        else
          await admin
            .query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
            .catch((e: Error) => console.error(`drop schema ${schema}: ${e.message}`));
      }
      await admin.end().catch(() => undefined);
    }
    if (KEEP) console.log(`kept logs and Redis directory in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
    reaper.stdin!.end(`${JSON.stringify({ done: true })}\n`); // all done: the reaper exits
  })();
  return cleaned;
}

function abort(code: number, why: string) {
  if (aborted) return;
  aborted = true;
  console.error(`chaos: ${why}; stopping`);
  process.exitCode = code;
  activeSender?.abort();
  void cleanup().finally(() => process.exit(code));
  setTimeout(() => process.exit(code), 30_000).unref(); // if cleanup itself hangs
}
// `on`, not `once`: a second signal (tsx relays Ctrl-C too) must not kill the bench before it has cleaned up.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => abort(130, sig));
process.on("exit", () => {
  killAllNow();
  redis?.resume();
});

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** Counts a status map over every attempt that was not an acceptance. */
function refusals(attempts: Attempt[][]): Map<string, number> {
  const m = new Map<string, number>();
  for (const list of attempts)
    for (const a of list) if (a !== 200 && a !== 202) m.set(String(a), (m.get(String(a)) ?? 0) + 1);
  return m;
}
const fmtMap = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}×${v}`)
    .join(", ") || "none";

async function runScenario(s: Scenario, index: number): Promise<Row> {
  const tag = `${run}${index}`;
  const schema = `chaos_${run}_${index}`;
  const prefix = `chaos-${run}-${index}`;
  const databaseUrl = `${PG_BASE}/${DB}?schema=${schema}`;
  schemas.push(schema);
  if (!KEEP) tell({ schema });
  prefixes.push(prefix);
  await migrate(databaseUrl); // creates the database if needed, then the private schema
  const db = await adminClient();

  const env = {
    PORT: "0",
    DATABASE_URL: `postgresql://postgres@127.0.0.1:${proxy!.port}/${DB}?schema=${schema}`,
    REDIS_URL: redis!.url,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: "warn",
    GITHUB_WEBHOOK_SECRET: SECRETS.github,
    SLACK_SIGNING_SECRET: SECRETS.slack,
    LINEAR_WEBHOOK_SECRET: SECRETS.linear,
    DEPLOY_WEBHOOK_SECRET: SECRETS.deploy,
  };
  const port = await freePort();
  const logOf = (name: string) => path.join(tmp, `${index}-${s.name}-${name}.log`);
  const startWeb = () => spawnService(ROOT, "web", { ...env, ROLE: "web", PORT: String(port) }, logOf("web"));
  const startWorker = (i: number) => spawnService(ROOT, `worker ${i}`, { ...env, ROLE: "worker" }, logOf(`worker${i}`));

  const procs: Proc[] = [];
  const ctx = { workers: [] as Proc[], webPort: port } as unknown as Ctx;
  ctx.web = startWeb();
  ctx.workers = [startWorker(0), startWorker(1)];
  procs.push(ctx.web, ...ctx.workers);

  const queueRedis = new Redis(redis!.url, { maxRetriesPerRequest: null });
  queueRedis.on("error", () => undefined);
  const queue = new Queue(INGEST_QUEUE, { connection: queueRedis, prefix });
  queue.on("error", () => undefined);
  const events = new QueueEvents(INGEST_QUEUE, {
    connection: { host: "127.0.0.1", port: redis!.port, maxRetriesPerRequest: null },
    prefix,
  });
  events.on("error", () => undefined);
  let stalled = 0;
  events.on("stalled", () => stalled++);

  const sender = createSender({
    port,
    secrets: SECRETS,
    tag,
    backoffMs: BACKOFF_MS,
    timeoutMs: 10_000,
    maxInflight: 4000,
    redeliverEvery: 50,
  });
  activeSender = sender;
  const timeline: string[] = [];
  let t0 = Date.now();
  const mark = (what: string) => timeline.push(`${seconds(Date.now() - t0)}s ${what}`);
  Object.assign(ctx, {
    redis: redis!,
    proxy: proxy!,
    sender,
    queue,
    mark,
    restartWeb() {
      ctx.web = startWeb();
      procs.push(ctx.web);
      return ctx.web;
    },
    restartWorker(i: number) {
      const w = startWorker(i);
      ctx.workers[i] = w;
      procs.push(w);
      return w;
    },
  } satisfies Partial<Ctx>);

  try {
    const tStart = performance.now();
    await waitHttpOk(ctx.web, `http://127.0.0.1:${port}/readyz`, 60_000);
    await events.waitUntilReady();
    for (const until = Date.now() + 60_000; (await queue.getWorkersCount()) < 2; await sleep(100)) {
      for (const w of ctx.workers)
        if (!alive(w)) throw new Error(`${w.name} exited (${w.child.exitCode ?? w.child.signalCode}); see ${w.log}`);
      if (Date.now() > until) throw new Error("workers not connected to the queue within 60 s");
    }
    const startS = (performance.now() - tStart) / 1000;

    // Send; inject the fault a few seconds in; keep sending past the heal.
    const sendS = Math.max(SECONDS, FAULT_AT_S + s.faultS + 3);
    t0 = Date.now();
    const load = sender.run(RATE, sendS);
    await sleep(FAULT_AT_S * 1000);
    if (aborted) throw new Error("aborted");
    await s.inject(ctx);
    mark("healed");
    await load;
    mark(
      `stream ended (${sender.sent} deliveries${sender.behind ? `, at most ${sender.behind} behind schedule` : ""})`,
    );
    const settled = await sender.settle(60_000);
    const sendEnd = Date.now();
    mark(settled ? "every delivery answered or given up" : `${sender.inflight} deliveries still unanswered after 60 s`);

    // Drain: nothing waiting, delayed or active (a crashed worker's jobs stay active until found stalled).
    let drainS: number | null = null;
    let last = "";
    for (const until = Date.now() + TIMEOUT_S * 1000; Date.now() < until && !aborted; await sleep(250)) {
      const counts = await queue
        .getJobCounts("waiting", "prioritized", "active", "delayed", "waiting-children")
        .catch(() => undefined);
      if (!counts) continue;
      last = Object.entries(counts)
        .filter(([, n]) => n)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ");
      if (Object.values(counts).every((n) => n === 0)) {
        drainS = (Date.now() - sendEnd) / 1000;
        break;
      }
    }
    mark(drainS === null ? `queue not drained within ${TIMEOUT_S} s (${last})` : "queue drained");
    const failedJobs = (await queue.getJobCounts("failed")).failed ?? 0;

    // Count.
    await db.query(`SET search_path TO "${schema}"`);
    const raws = (
      await db.query<{ key: string; id: string; bad: boolean; ev: boolean }>(
        `SELECT r.platform || ':' || r.delivery_id AS key, r.id::text AS id, r.error IS NOT NULL AS bad, e.id IS NOT NULL AS ev
       FROM raw_deliveries r LEFT JOIN events e ON e.id = r.id`,
      )
    ).rows;
    const [ev] = (
      await db.query<{ total: number; keys: number; orphan: number }>(
        `SELECT count(*)::int AS total, count(DISTINCT (platform, delivery_id))::int AS keys,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM raw_deliveries r WHERE r.id = e.id))::int AS orphan
       FROM events e`,
      )
    ).rows;
    const reasons = (
      await db.query<{ error: string; n: number }>(
        `SELECT left(error, 120) AS error, count(*)::int AS n FROM raw_deliveries WHERE error IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 3`,
      )
    ).rows;
    await db.query(`SET search_path TO public`);

    const log = sender.log;
    const originals = log.filter((r) => !r.redelivery);
    const redeliveries = log.filter((r) => r.redelivery);
    const sentKeys = new Set(originals.map((r) => r.key));
    const ok = (r: (typeof log)[number]) => r.outcome === "accepted" || r.outcome === "duplicate";
    const acceptedKeys = new Set(log.filter(ok).map((r) => r.key));
    const gaveUp = originals.filter((r) => r.outcome === "gave_up");
    const refusedFinal = originals.filter((r) => r.outcome === "refused" || r.outcome === "aborted");
    const rawByKey = new Map<string, typeof raws>();
    for (const r of raws) rawByKey.set(r.key, [...(rawByKey.get(r.key) ?? []), r]);
    const lost = [...acceptedKeys].filter((k) => !rawByKey.has(k));
    const rawDupes = [...rawByKey.values()].reduce((n, rows) => n + rows.length - 1, 0);
    const unknown = raws.filter((r) => !sentKeys.has(r.key)).length;
    const duplicated = rawDupes + (ev!.total - ev!.keys) + unknown;
    const stored = raws.filter((r) => r.ev && !r.bad).length;
    const unprocessable = raws.filter((r) => r.bad).length;
    const pending = raws.filter((r) => !r.ev && !r.bad).length;
    const landedAnyway = gaveUp.filter((r) => rawByKey.has(r.key)).length;
    // A 202/200 whose event id is not the stored one: a second job for the same delivery id (deduplication missed it).
    const idMismatch = log
      .filter(ok)
      .filter((r) => r.id && rawByKey.has(r.key) && !rawByKey.get(r.key)!.some((x) => x.id === r.id)).length;
    const redeliveryOutcomes = new Map<string, number>();
    for (const r of redeliveries) {
      const k =
        r.outcome === "duplicate" ? "200 duplicate" : r.outcome === "accepted" ? "202 (not deduplicated)" : r.outcome;
      redeliveryOutcomes.set(k, (redeliveryOutcomes.get(k) ?? 0) + 1);
    }

    const notes = [
      `timeline: ${timeline.join("; ")}`,
      `service up in ${startS.toFixed(1)} s; sent ${originals.length} over ${sendS.toFixed(1)} s + ${redeliveries.length} redeliveries (${fmtMap(redeliveryOutcomes)})`,
      `refused attempts by status: ${fmtMap(refusals(log.map((r) => r.attempts)))}; accepted after a retry ${originals.filter((r) => ok(r) && r.attempts.length > 1).length}, of which answered 200 duplicate (an earlier attempt had landed) ${originals.filter((r) => r.outcome === "duplicate").length}`,
      `gave up ${gaveUp.length} (stored anyway: ${landedAnyway}); final 4xx/aborted ${refusedFinal.length}${refusedFinal.length ? ` (${fmtMap(refusals(refusedFinal.map((r) => r.attempts.slice(-1))))})` : ""}`,
      `database: ${raws.length} raw deliveries, ${ev!.total} events; pending at the end ${pending}; failed jobs kept ${failedJobs}; stalled jobs seen ${stalled}; 202 id ≠ stored id ${idMismatch}${ev!.orphan ? `; events without raw delivery ${ev!.orphan}` : ""}`,
    ];
    if (reasons.length) notes.push(`unprocessable reasons: ${reasons.map((r) => `${r.n}× ${r.error}`).join(" | ")}`);
    if (lost.length)
      notes.push(
        `LOST (accepted, not in raw_deliveries): ${lost.slice(0, 5).join(", ")}${lost.length > 5 ? ", …" : ""}`,
      );

    // Stop this scenario's processes; an exit nobody asked for is worth a note.
    await Promise.all(procs.map((p) => signal(p, "SIGTERM", 15_000)));
    for (const p of procs) {
      const x = p.exit;
      if (x && !x.expected) notes.push(`UNEXPECTED EXIT: ${p.name} (${x.code ?? x.signal}) at ${seconds(x.at - t0)}s`);
      else if (x && x.signal === null && x.code !== 0 && x.expected)
        notes.push(`${p.name} exited with code ${x.code} on SIGTERM`);
    }
    const logs = new Map<string, number>();
    const other: string[] = [];
    for (const file of new Set(procs.map((p) => p.log))) {
      const sum = summarizeLog(file);
      const role = path.basename(file, ".log").split("-").pop()!;
      for (const [k, v] of sum.messages) logs.set(`${role}: ${k}`, (logs.get(`${role}: ${k}`) ?? 0) + v);
      other.push(...sum.other.map((l) => `${path.basename(file)}: ${l}`));
    }
    if (logs.size)
      notes.push(
        `service warnings: ${[...logs]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([k, v]) => `${v}× ${k}`)
          .join(" | ")}`,
      );
    if (other.length) notes.push(`service output not from the logger: ${other.slice(0, 4).join(" | ")}`);

    return {
      scenario: s.name,
      sent: originals.length,
      accepted: originals.filter(ok).length,
      refused: [...refusals(log.map((r) => r.attempts)).values()].reduce((a, b) => a + b, 0),
      gaveUp: gaveUp.length,
      stored,
      unprocessable,
      lost: lost.length,
      duplicated,
      drainS,
      notes,
    };
  } finally {
    sender.abort();
    sender.close();
    activeSender = undefined;
    await Promise.all(procs.map((p) => signal(p, "SIGKILL")));
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    queueRedis.disconnect();
    // On abort, cleanup() deletes the keys and schemas (and may have stopped Redis already).
    if (!aborted && redis!.running) {
      redis!.resume();
      await deleteRedisPrefix(redis!.url, prefix).catch((e: Error) => console.error(`delete redis keys: ${e.message}`));
      prefixes.splice(prefixes.indexOf(prefix), 1);
    }
    if (!aborted && !KEEP) {
      await db
        .query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        .catch((e: Error) => console.error(`drop schema: ${e.message}`));
      schemas.splice(schemas.indexOf(schema), 1);
    }
  }
}

function printTable(rows: Row[]) {
  const head = [
    "scenario",
    "sent",
    "accepted",
    "refused",
    "gave up",
    "stored",
    "unprocessable",
    "lost",
    "duplicated",
    "drain s",
  ];
  const cells = rows.map((r) =>
    [
      r.scenario,
      r.sent,
      r.accepted,
      r.refused,
      r.gaveUp,
      r.stored,
      r.unprocessable,
      r.lost,
      r.duplicated,
      r.drainS === null ? "TIMEOUT" : r.drainS.toFixed(1),
    ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `| ${c.map((x, i) => (i ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`);
  for (const c of cells) console.log(line(c));
}

// ---------------------------------------------------------------------------------------------

const chosen = (process.env.SCENARIOS ?? SCENARIOS.map((s) => s.name).join(","))
  .split(",")
  .map((x) => x.trim())
  .filter(Boolean)
  .map((x) => {
    const s = /^\d+$/.test(x) ? SCENARIOS[Number(x) - 1] : SCENARIOS.find((s) => s.name === x);
    if (!s)
      throw new Error(`unknown scenario ${x}; known: ${SCENARIOS.map((s, i) => `${i + 1} ${s.name}`).join(", ")}`);
    return s;
  });

// Hard stop, whatever happens: per scenario start-up, sending, settling and the drain bound.
const budgetS = chosen.reduce(
  (n, s) => n + 60 + Math.max(SECONDS, FAULT_AT_S + s.faultS + 3) + 60 + TIMEOUT_S + 30,
  60,
);
setTimeout(() => abort(1, `still running after ${budgetS} s`), budgetS * 1000).unref();

const rows: Row[] = [];
let failed = false;
try {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cpus, node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `load: ${RATE} deliveries/s (40% GitHub, 25% Slack, 20% Linear, 15% deploy; 1 in 50 redelivered), fault at ${FAULT_AT_S.toFixed(1)} s, sending ≥ ${SECONDS} s; retries on 503/connection errors after ${BACKOFF_MS.map((b) => b / 1000).join(", ")} s`,
  );
  console.log(
    `service: 1 × ROLE=web, 2 × ROLE=worker (${process.env.USE_DIST === "1" ? "node dist/main.js" : "node --import tsx src/main.ts"}), its defaults otherwise; private redis-server (appendonly, everysec); PostgreSQL through a TCP proxy`,
  );
  redis = await startRedisServer(await freePort(), mkdtempSync(path.join(tmp, "redis-")), (pid) => tell({ pid }));
  proxy = await startPgProxy({ host: "127.0.0.1", port: 5432 });
  for (const [i, s] of chosen.entries()) {
    if (aborted) break;
    console.log(`\n[${i + 1}/${chosen.length}] ${s.name}`);
    try {
      const row = await runScenario(s, SCENARIOS.indexOf(s) + 1);
      rows.push(row);
      console.log(
        `  sent ${row.sent}, accepted ${row.accepted}, stored ${row.stored}, lost ${row.lost}, duplicated ${row.duplicated}, drain ${row.drainS === null ? "TIMEOUT" : `${row.drainS.toFixed(1)} s`}`,
      );
      for (const n of row.notes) console.log(`  ${n}`);
    } catch (err) {
      failed = true;
      console.error(`  scenario ${s.name} failed: ${(err as Error).stack ?? err}`);
    }
  }
} catch (err) {
  failed = true;
  console.error(`chaos failed: ${(err as Error).stack ?? err}`);
} finally {
  await cleanup();
}

console.log("");
if (rows.length) {
  printTable(rows);
  console.log(
    "sent: distinct deliveries (redeliveries aside); accepted: answered 202, or 200 duplicate when an earlier attempt had landed; " +
      "refused: attempts answered otherwise or failed to connect (statuses above); gave up: still refused after 6 attempts; " +
      "stored: raw delivery with its event; lost: accepted, not in raw_deliveries; duplicated: a delivery id stored twice, or an event beyond one per delivery; " +
      "drain: from the last answer to an empty queue",
  );
}
const lost = rows.reduce((n, r) => n + r.lost, 0);
const duplicated = rows.reduce((n, r) => n + r.duplicated, 0);
const undrained = rows.filter((r) => r.drainS === null).length;
console.log(
  `chaos: ${rows.length} scenarios, lost ${lost}, duplicated ${duplicated}${undrained ? `, ${undrained} not drained` : ""}${failed ? ", some scenarios failed to run" : ""}`,
);
process.exitCode = aborted
  ? process.exitCode
  : lost || duplicated || failed || undrained || rows.length < chosen.length
    ? 1
    : 0;
