/**
 * Ingest benchmark: deliveries/s that the receive path (verify + enqueue) sustains, against the
 * ceiling of a bare node:http server on the same machine. Loopback only, bounded in time (~30 s);
 * leaves nothing behind: children stopped, Redis keys of its prefix and its schema dropped (the
 * switchyard_bench database itself is kept: other benches may be using it).
 * Run: npm run bench:ingest (builds dist/ first if it is missing); BENCH_DIST=<dist> measures another build;
 * BENCH_CPU_PROF=<dir> writes a CPU profile of the service process there (node --cpu-prof, on its exit);
 * BENCH_NODE_ARGS="<flags>" gives the service process more node flags (e.g. --max-semi-space-size=32).
 */
import { cpuSeconds, freePort, stopChild, waitHttp } from "./lifecycle.js";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { sign } from "@octokit/webhooks-methods";
import autocannon from "autocannon";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { deleteRedisPrefix } from "./redis-prefix.js";
import { INGEST_QUEUE } from "../src/queue/ingest/queue.js";
import { migrate } from "../src/store/migrate.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Another build to measure (side-by-side comparisons of two commits): BENCH_DIST=/path/to/dist.
const DIST = process.env.BENCH_DIST ?? `${ROOT}dist`;
const MAIN = `${DIST}/main.js`;
// Where the profile goes: the service's share of time per function under the load (SIGTERM exits cleanly, so it is
// written).
const CPU_PROF = process.env.BENCH_CPU_PROF;
const CONNECTIONS = 50;
const WARMUP_S = 2;
const DURATION_S = 10;
const DEADLINE_MS = 90_000; // hard stop, whatever happens

const run = randomBytes(4).toString("hex");
// BENCH_REDIS_URL: a private redis-server, so its INFO commandstats count this run's commands only.
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const REDIS_PREFIX = `bench-${run}`;
const PG_BASE = "postgresql://postgres@127.0.0.1:5432";
const DB = "switchyard_bench";
const SCHEMA = `bench_${run}`;
const SECRET = `bench-secret-${run}`;

// A real delivery: the first pull_request example GitHub documents (~21 KB).
type Examples = { name: string; examples: unknown[] }[];
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json") as Examples;
const payload = examples.find((e) => e.name === "pull_request")!.examples[0];
const body = JSON.stringify(payload);
const headers = {
  "content-type": "application/json",
  "user-agent": "GitHub-Hookshot/bench",
  "x-github-event": "pull_request",
  "x-hub-signature-256": await sign(SECRET, body), // the bare server's; the service's are signed per request
};

const children = new Set<ChildProcess>();
let running: autocannon.Instance | undefined;
let aborted = false;

/** Ctrl-C or the deadline: stop the load and the children, then let main unwind into cleanup. */
function abort(code: number) {
  aborted = true;
  process.exitCode = code;
  running?.stop();
  for (const child of children) child.kill("SIGKILL");
}
function checkAborted() {
  if (aborted) throw new Error("aborted");
}

/** Spawns a node child on a free loopback port; resolves once `readyPath` answers `readyStatus`. */
async function start(args: string[], env: Record<string, string>, readyPath: string, readyStatus: number) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  await waitHttp(child, port, readyPath, readyStatus, { check: checkAborted });
  return { child, port, startMs: performance.now() - t0 };
}

function load(port: number, seconds: number): Promise<autocannon.Result> {
  const options: autocannon.Options = {
    url: `http://127.0.0.1:${port}/webhooks/github`,
    method: "POST",
    connections: CONNECTIONS,
    duration: seconds,
    headers,
    body,
    // A distinct delivery id per request: a repeated one is answered "200 duplicate", far cheaper.
    requests: [
      {
        // A distinct body (and so signature) and delivery id per request: the same body under a new
        // delivery id would be a replay (contract §2), answered 200 duplicate.
        setupRequest: (req) => {
          const b = `${body.slice(0, -1)},"bench_nonce":"${randomUUID()}"}`;
          const signature = `sha256=${createHmac("sha256", SECRET).update(b).digest("hex")}`;
          return {
            ...req,
            body: b,
            headers: { ...req.headers, "x-github-delivery": randomUUID(), "x-hub-signature-256": signature },
          };
        },
      },
    ],
  };
  return new Promise<autocannon.Result>((resolve, reject) => {
    running = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  }).finally(checkAborted);
}

type Row = {
  target: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  n202: number;
  responses: number;
};

/** Redis's own CPU seconds so far (INFO cpu): the share of each delivery the server pays. */
async function redisCpuSeconds(): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const info = await redis.info("cpu").finally(() => redis.quit());
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return field("used_cpu_user") + field("used_cpu_sys");
}

/**
 * Warm-up (discarded), then the measured run; fails loudly unless most answers are 202. Prints the
 * CPU each answer cost the server process (`pid`) and Redis, steadier than rates on a shared machine.
 */
async function measure(target: string, port: number, pid?: number): Promise<Row & { warm202: number }> {
  const warm = await load(port, WARMUP_S);
  const cpu0 = [cpuSeconds(pid), await redisCpuSeconds()] as const;
  const r = await load(port, DURATION_S);
  const cpu1 = [cpuSeconds(pid), await redisCpuSeconds()] as const;
  const codes = Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0] as const);
  const responses = codes.reduce((n, [, c]) => n + c, 0);
  const n202 = codes.find(([code]) => code === "202")?.[1] ?? 0;
  const others = codes.filter(([code]) => code !== "202");
  if (others.length || r.errors || r.timeouts) {
    console.log(
      `${target}: non-202 answers ${JSON.stringify(Object.fromEntries(others))}, ` +
        `errors ${r.errors}, timeouts ${r.timeouts}`,
    );
  }
  if (n202 * 2 <= responses || responses === 0)
    throw new Error(`${target}: only ${n202} of ${responses} answers were 202`);
  const per = (a: number, b: number) =>
    Number.isNaN(a) || Number.isNaN(b) ? "?" : (((b - a) * 1e6) / Math.max(1, responses)).toFixed(0);
  // Redis's figure includes whatever else uses the same server (BENCH_REDIS_URL for a private one).
  console.log(
    `${target}: CPU per answer ${per(cpu0[0], cpu1[0])} µs in the server process, ${per(cpu0[1], cpu1[1])} µs in Redis`,
  );
  const row = {
    target,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    n202,
    responses,
  };
  return { ...row, warm202: warm.statusCodeStats?.["202"]?.count ?? 0 };
}

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await Promise.all([...children].map((c) => stopChild(c)));
  await deleteRedisPrefix(REDIS_URL, REDIS_PREFIX);
  const db = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
  await db
    .connect()
    .then(() => db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`))
    .catch(() => undefined)
    .finally(() => db.end().catch(() => undefined));
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => abort(130));
setTimeout(() => {
  console.error(`bench: still running after ${DEADLINE_MS / 1000} s, stopping`);
  abort(1);
  setTimeout(() => process.exit(1), 10_000).unref(); // in case cleanup itself hangs
}, DEADLINE_MS).unref();

try {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cpus, ${cpus[0]?.model.trim()}, node ${process.version}, ` +
      `load average ${os.loadavg()[0]!.toFixed(2)} (other work on the machine skews figures)`,
  );
  console.log(
    `load: autocannon, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up (discarded) + ${DURATION_S} s, ` +
      `${Buffer.byteLength(body)} B pull_request payload, distinct X-GitHub-Delivery per request`,
  );

  if (!existsSync(MAIN)) {
    console.log(`${MAIN} missing: running npm run build`);
    if (spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" }).status !== 0)
      throw new Error("npm run build failed");
  }

  const DATABASE_URL = `${PG_BASE}/${DB}?schema=${SCHEMA}`;
  await migrate(DATABASE_URL);
  checkAborted();

  const bare = await start(["--import", "tsx", "bench/bare-server.ts"], {}, "/", 202);
  const ceiling = await measure("bare node:http (ceiling)", bare.port, bare.child.pid);
  await stopChild(bare.child);

  // ROLE=web: receivers only, so no worker competes with the receive path for the 2 cores.
  const env = { ROLE: "web", LOG_LEVEL: "warn", DATABASE_URL, REDIS_URL, REDIS_PREFIX, GITHUB_WEBHOOK_SECRET: SECRET };
  const profile = CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`] : [];
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const svc = await start([...profile, ...nodeArgs, MAIN], env, "/readyz", 200);
  const service = await measure("switchyard ROLE=web", svc.port, svc.child.pid);
  await stopChild(svc.child);
  checkAborted();

  // Every 202 must have left a job behind (a 503 after a late enqueue may add one more).
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(INGEST_QUEUE, { connection: redis, prefix: REDIS_PREFIX });
  const counts = await queue.getJobCounts("waiting", "prioritized", "delayed", "active");
  await queue.close();
  await redis.quit();
  const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
  const acked = service.n202 + service.warm202;
  console.log(
    `service: node ${MAIN}, ROLE=web (receivers only, no worker running), ` +
      `ready in ${svc.startMs.toFixed(0)} ms; jobs queued ${jobs} >= 202 answers ${acked}`,
  );
  if (jobs < acked) throw new Error(`${acked - jobs} deliveries answered 202 but not queued`);

  const rows = [ceiling, service];
  const fmt = (row: Row) =>
    [
      row.target.padEnd(26),
      row.rps.toFixed(0).padStart(13),
      row.p50.toFixed(0).padStart(7),
      row.p99.toFixed(0).padStart(7),
      String(row.non2xx).padStart(8),
      String(row.errors).padStart(7),
      `${((row.rps / ceiling.rps) * 100).toFixed(1)}%`.padStart(11),
    ].join(" ");
  console.log(
    [
      "target".padEnd(26),
      "deliveries/s".padStart(13),
      "p50 ms".padStart(7),
      "p99 ms".padStart(7),
      "non-2xx".padStart(8),
      "errors".padStart(7),
      "of ceiling".padStart(11),
    ].join(" "),
  );
  for (const row of rows) console.log(fmt(row));
  // The figure over the ceiling measured in this same run, last (target >= 45 %).
  console.log(`ratio: ${((service.rps / ceiling.rps) * 100).toFixed(1)} %`);
} catch (err) {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exitCode = aborted ? process.exitCode : 1;
} finally {
  await cleanup();
}
