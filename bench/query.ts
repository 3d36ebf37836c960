/**
 * Query benchmark: p95 latency of three read endpoints over 1,000,000 stored events.
 *   1. GET /api/entities/:key (depth=1) of a busy PR and of a busy Linear issue
 *   2. GET /api/deploys/:key/changes of deploys shipping tens of commits/PRs/issues
 *   3. GET /api/metrics/dora for one repository + environment over 30 days
 * Data is generated with SQL into a private schema of switchyard_bench; the real service runs
 * in-process (ROLE=web) and is called over HTTP, sequentially.
 * Ceiling: the database's part of each answer — the same statements (src/store/read's functions), on
 * a pool configured as the service's, without HTTP, Koa, the answer's shaping and its JSON. Each
 * service call is followed by a ceiling call for the same key, so both see the same load.
 * `ratio` = ceiling p95 / service p95; the last line gives the lowest of the four queries.
 * Run: npx tsx bench/query.ts   (KEEP=1: reuse a complete schema from an earlier KEEP=1 run, and keep it;
 *      ONLY=<text>: run only the queries whose name contains it, e.g. ONLY=DORA for a CPU profile)
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import pg from "pg";
import { deleteRedisPrefix } from "./redis-prefix.js";
import { loadConfig } from "../src/shared/config.js";
import { createLogger } from "../src/shared/log.js";
import { startService, type Service } from "../src/service.js";
import { migrate } from "../src/store/migrate.js";
import { openDatabase, type Database } from "../src/store/prisma.js";
import { readDeployChanges } from "../src/store/read/deploy-changes.js";
import { readDoraFacts } from "../src/store/read/dora.js";
import { readEntityGraph } from "../src/store/read/entity-graph.js";
import { generation } from "./query/generation.js";

/** Issue 14's targets: DORA p95 ≤ 20 ms, the others ≤ 10 ms (contract §6's bound is 50 ms). */
const TARGET_MS = { entity: 10, changes: 10, dora: 20 };
const WARMUP = 20;
const CALLS = 200;
const BUDGET_MS = 60_000; // per query: stop timing early if 200 calls would take longer
const KEEP = process.env.KEEP === "1";
const PG_BASE = "postgresql://postgres@127.0.0.1:5432";
const DB = "switchyard_bench";
/** The API wants tokens of 32 characters or more. */
const BENCH_TOKEN = "bench-token-0123456789abcdef0123456789";
const REDIS_URL = "redis://127.0.0.1:6379";
const REDIS_PREFIX = `bench-query-${randomBytes(4).toString("hex")}`;
const COMPLETE = "switchyard bench/query.ts: complete"; // schema comment set once generation finished

const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
await admin.connect();
const dbExisted = (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DB])).rowCount === 1;
await admin.end();

// Reuse a complete schema when KEEP=1, otherwise a fresh one.
let schema = `query_${randomBytes(4).toString("hex")}`;
let reused = false;
if (KEEP && dbExisted) {
  const c = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
  await c.connect();
  const { rows } = await c.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace
     WHERE nspname LIKE 'query\\_%' AND obj_description(oid, 'pg_namespace') = $1 ORDER BY nspname LIMIT 1`,
    [COMPLETE],
  );
  await c.end();
  if (rows[0]) {
    schema = rows[0].nspname;
    reused = true;
  }
}
const DATABASE_URL = `${PG_BASE}/${DB}?schema=${schema}`;
const db = new pg.Client({ connectionString: `${PG_BASE}/${DB}`, options: `-c search_path=${schema}` });
let service: Service | undefined;
let ceilingDb: Database | undefined;
let complete = reused; // a schema is kept (KEEP=1) only once complete

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await service?.close().catch(() => undefined);
  await ceilingDb?.close().catch(() => undefined);
  await deleteRedisPrefix(REDIS_URL, REDIS_PREFIX);
  if (!(KEEP && complete))
    await db
      .query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      .catch((e) => console.error(`drop schema: ${e.message}`));
  await db.end().catch(() => undefined); // the database stays: other benches share it
}
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));

async function generate() {
  const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const steps = generation(new Date(end.getTime() - 90 * 86_400_000).toISOString(), end.toISOString());
  await db.query("SET synchronous_commit = off; SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'");
  const t0 = performance.now();
  for (const [label, sql] of steps) {
    const t = performance.now();
    await db.query(sql);
    console.log(`  ${label.padEnd(32)} ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  await db.query(`COMMENT ON SCHEMA "${schema}" IS '${COMPLETE}'`);
  complete = true;
  return (performance.now() - t0) / 1000;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

try {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores, ${cpus[0]?.model.trim()}, node ${process.version}, ` +
      `${os.platform()} ${os.release()}`,
  );
  await migrate(DATABASE_URL); // creates the database and schema if needed; applies new migrations to a reused one
  await db.connect();
  const pgVersion = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  console.log(`postgres ${pgVersion}, database ${DB}, schema ${schema}${reused ? " (reused, KEEP=1)" : ""}`);
  if (!reused) {
    console.log("generating:");
    console.log(`generation took ${(await generate()).toFixed(1)} s`);
  }

  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
  const sizes = {
    events: await count("SELECT count(*) AS n FROM events"),
    links: await count("SELECT count(*) AS n FROM links"),
    deploys: await count("SELECT count(*) AS n FROM deploys"),
    entities: await count("SELECT count(*) AS n FROM entities"),
    commits: await count("SELECT count(*) AS n FROM commits"),
    pull_requests: await count("SELECT count(*) AS n FROM pull_requests"),
  };
  console.log(
    `data: ${Object.entries(sizes)
      .map(([t, n]) => `${t} ${n.toLocaleString("en-US")}`)
      .join(", ")}`,
  );

  // Keys of similar size: the 4 busiest PRs and Linear issues, the 4 deploys shipping most, the 4 busiest repositories.
  const top = async (sql: string) =>
    (await db.query<{ key: string; n: string }>(sql)).rows.map((r) => ({ key: r.key, n: Number(r.n) }));
  const busy = (prefix: string) =>
    top(
      `SELECT subject AS key, count(*) AS n FROM events WHERE subject LIKE '${prefix}%'
       GROUP BY subject ORDER BY n DESC, subject LIMIT 4`,
    );
  const prs = await busy("github:pr:");
  const issues = await busy("linear:issue:");
  const deploys = await top(`SELECT from_key AS key, count(*) AS n FROM links JOIN deploys d ON d.key = from_key
                             WHERE relation = 'ships' AND d.environment = 'production'
                             GROUP BY from_key ORDER BY n DESC, from_key LIMIT 4`);
  const until = (await db.query<{ at: Date }>("SELECT max(at) AS at FROM deploys")).rows[0]!.at;
  const since = new Date(until.getTime() - 30 * 86_400_000);
  const repos = await top(`SELECT repository AS key, count(*) AS n FROM deploys
                           WHERE environment = 'production' AND finished_at >= '${since.toISOString()}'
                           GROUP BY repository ORDER BY n DESC, repository LIMIT 4`);
  const show = (xs: { key: string; n: number }[], what: string) =>
    xs.map((x) => `${x.key} (${x.n} ${what})`).join(", ");
  console.log(`keys: PRs ${show(prs, "events")}`);
  console.log(`      issues ${show(issues, "events")}`);
  console.log(`      deploys ${show(deploys, "shipped")}`);
  console.log(`      repositories ${show(repos, "production deploys in 30 days")}`);

  const config = loadConfig({
    ROLE: "web",
    PORT: "0",
    API_TOKENS: BENCH_TOKEN,
    LOG_LEVEL: "warn",
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX,
  });
  service = await startService(config, createLogger(config.LOG_LEVEL));
  const base = `http://127.0.0.1:${service.port}/api`;
  const call = async (path: string) => {
    const t = performance.now();
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 200)}`);
    return performance.now() - t;
  };
  // The ceiling's pool: the service's settings (store/prisma.ts), its own connections.
  ceilingDb = openDatabase(DATABASE_URL, 10);
  const pool = ceilingDb.pool;
  const dora = { environment: "production", production: [], since, until };
  const queries: Array<{ name: string; target: number; paths: string[]; ceiling: Array<() => Promise<unknown>> }> = [
    {
      name: "entity timeline, busy PR",
      target: TARGET_MS.entity,
      paths: prs.map((x) => `/entities/${encodeURIComponent(x.key)}?depth=1`),
      ceiling: prs.map((x) => () => readEntityGraph(pool, x.key, 1, 200)),
    },
    {
      name: "entity timeline, busy issue",
      target: TARGET_MS.entity,
      paths: issues.map((x) => `/entities/${encodeURIComponent(x.key)}?depth=1`),
      ceiling: issues.map((x) => () => readEntityGraph(pool, x.key, 1, 200)),
    },
    {
      name: "deploy changes",
      target: TARGET_MS.changes,
      paths: deploys.map((x) => `/deploys/${encodeURIComponent(x.key)}/changes`),
      ceiling: deploys.map((x) => () => readDeployChanges(pool, x.key)),
    },
    {
      name: "DORA, repo + env, 30 days",
      target: TARGET_MS.dora,
      paths: repos.map(
        (x) =>
          `/metrics/dora?repository=${x.key}&environment=production` +
          `&since=${since.toISOString()}&until=${until.toISOString()}`,
      ),
      ceiling: repos.map((x) => () => readDoraFacts(pool, { ...dora, repository: x.key }, ["production"])),
    },
  ];
  const only = process.env.ONLY; // run only the queries whose name contains ONLY (profiling one of them)
  const rows: string[][] = [];
  const ratios: number[] = [];
  const load0 = os.loadavg()[0]!; // other processes on this 2-core machine skew latencies: shown with the table
  const timed = async (run: () => Promise<unknown>) => {
    const t = performance.now();
    await run();
    return performance.now() - t;
  };
  for (const q of queries) {
    if (only && !q.name.includes(only)) continue;
    const n = q.paths.length;
    const start = performance.now();
    for (let i = 0; i < WARMUP && performance.now() - start < BUDGET_MS / 3; i++) {
      await call(q.paths[i % n]!);
      await q.ceiling[i % n]!();
    }
    const ms: number[] = [];
    const floor: number[] = [];
    for (let i = 0, t = performance.now(); i < CALLS && performance.now() - t < BUDGET_MS; i++) {
      ms.push(await call(q.paths[i % n]!));
      floor.push(await timed(q.ceiling[i % n]!));
    }
    ms.sort((a, b) => a - b);
    floor.sort((a, b) => a - b);
    const p95 = pct(ms, 0.95);
    const ratio = pct(floor, 0.95) / p95;
    ratios.push(ratio);
    rows.push([
      q.name,
      String(ms.length),
      pct(ms, 0.5).toFixed(1),
      p95.toFixed(1),
      pct(ms, 0.99).toFixed(1),
      pct(floor, 0.5).toFixed(1),
      pct(floor, 0.95).toFixed(1),
      `${Math.round(ratio * 100)} %`,
      `${q.target} ms: ${p95 <= q.target ? "met" : "not met"}`,
    ]);
  }
  const head = ["query", "calls", "p50 ms", "p95 ms", "p99 ms", "ceiling p50", "ceiling p95", "ratio", "target p95"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(
    `\nsequential HTTP calls over loopback, each followed by its ceiling call ` +
      `(the same statements on the pool, no HTTP/Koa/JSON); ` +
      `${WARMUP} warm-up calls per query (discarded), keys rotated, at most ${BUDGET_MS / 1000} s per query; ` +
      `load average (1 min) before/after: ${load0.toFixed(1)}/${os.loadavg()[0]!.toFixed(1)}\n` +
      `${line(head)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`,
  );
  for (const r of rows) console.log(line(r));
  if (KEEP) console.log(`\nschema ${schema} kept (KEEP=1)`);
  if (ratios.length)
    console.log(
      `ratio: ${Math.round(Math.min(...ratios) * 100)} % (ceiling p95 / service p95, the lowest of the queries run)`,
    );
} finally {
  await cleanup();
}
