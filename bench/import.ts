/**
 * History import benchmark (issue 17): a 90-day history of BENCH_IMPORT_PRS pull requests (10,000 by
 * default; with their commits, reviews, merges, deployments and issues) served by the loopback GitHub
 * (kit/fake-github.ts), imported by a service (ROLE=all, in this process). Prints the import's rate:
 * items/s and deliveries/s over the wall time from POST /api/imports until every delivery is stored;
 * and a ceiling measured in the same run: the same pages fetched and converted by the same reader,
 * without enqueueing or storing anything; then the ratio. Bounded in time (BENCH_IMPORT_DEADLINE_S, 300 s
 * by default: past it, the figures so far are printed). Leaves nothing behind: its schema and Redis
 * keys are dropped. Run: npm run bench:import.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { startFakeGithub } from "../kit/fake-github.js";
import { githubHistory } from "../kit/github-history.js";
import { githubImportClient } from "../src/platforms/github/history/client.js";
import { githubHistory as githubReader } from "../src/platforms/github/history/source.js";
import { startService } from "../src/service.js";
import { loadConfig } from "../src/shared/config.js";
import { createLogger } from "../src/shared/log.js";
import { migrate } from "../src/store/migrate.js";
import { dropBenchSchema } from "./lifecycle.js";
import { deleteRedisPrefix } from "./redis-prefix.js";

const PRS = Number(process.env.BENCH_IMPORT_PRS ?? 10_000);
const DEADLINE_MS = Number(process.env.BENCH_IMPORT_DEADLINE_S ?? 300) * 1000;
const run = randomBytes(4).toString("hex");
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const REDIS_PREFIX = `bench-import-${run}`;
const PG_BASE = "postgresql://postgres@127.0.0.1:5432";
const DB = "switchyard_bench";
const SCHEMA = `bench_import_${run}`;
const TOKEN = `bench-token-${run}`;
const REPO = "acme/shop";
const started = performance.now();
const left = () => DEADLINE_MS - (performance.now() - started);
const rate = (n: number, ms: number) => (n / (ms / 1000)).toFixed(0);

async function ensureDatabase() {
  const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DB]);
  if (!rowCount) await admin.query(`CREATE DATABASE ${DB}`).catch(() => undefined); // another bench may race
  await admin.end();
}

const cpus = os.cpus();
console.log(
  `machine: ${cpus.length} cpus, ${cpus[0]?.model.trim()}, node ${process.version}, load average ` +
    `${os.loadavg()[0]!.toFixed(2)} (other work on the machine skews figures)`,
);
const t0 = performance.now();
const history = githubHistory({ seed: 10_000, repository: REPO, pulls: PRS, webhooks: false });
const c = history.counts;
const items = c.pulls + c.commits + c.deployments + c.issues;
console.log(
  `history: ${c.pulls} PRs (${c.merged} merged), ${c.commits} default-branch commits, ${c.deployments} deployments, ` +
    `${c.issues} issues = ${items} items, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
const fake = await startFakeGithub(history.state);
await ensureDatabase();
const DATABASE_URL = `${PG_BASE}/${DB}?schema=${SCHEMA}`;
await migrate(DATABASE_URL);
const config = loadConfig({
  PORT: "0",
  DATABASE_URL,
  REDIS_URL,
  REDIS_PREFIX,
  API_TOKENS: `bench-api-token-${run}-0123456789abcdef`,
  GITHUB_TOKEN: TOKEN,
  GITHUB_API_URL: fake.url,
  LOG_LEVEL: "warn",
});
const log = createLogger(config.LOG_LEVEL);
const db = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
await db.connect();
let service: Awaited<ReturnType<typeof startService>> | undefined;
try {
  // ── Ceiling: the same pages fetched and converted, nothing enqueued or stored ──
  const c0 = performance.now();
  const reader = githubReader({
    octokit: await githubImportClient(config, log, REPO),
    repository: REPO,
    since: new Date(Date.now() - 90 * 86_400_000),
    baseUrl: fake.url,
  });
  let ceilingItems = 0;
  let ceilingDeliveries = 0;
  for (const resource of reader.resources) {
    let cursor: string | null = null;
    do {
      const page = await resource.page(cursor);
      ceilingItems += page.items;
      ceilingDeliveries += page.deliveries.length;
      cursor = page.next;
    } while (cursor !== null && left() > 0);
  }
  const ceilingMs = performance.now() - c0;
  const requests = fake.requests.length;
  console.log(
    `ceiling (fetch + convert only): ${ceilingItems} items, ${ceilingDeliveries} deliveries, ${requests} requests ` +
      `in ${(ceilingMs / 1000).toFixed(1)} s: ${rate(ceilingItems, ceilingMs)} items/s`,
  );

  // ── The import: POST, then until every delivery is stored ──
  service = await startService(config, log);
  const url = `http://127.0.0.1:${service.port}`;
  const auth = { authorization: `Bearer ${config.API_TOKENS[0]!.secret}`, "content-type": "application/json" };
  const i0 = performance.now();
  const res = await fetch(`${url}/api/imports`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ platform: "github", repository: REPO, since: "90d" }),
  });
  if (res.status !== 202) throw new Error(`POST /api/imports: ${res.status} ${await res.text()}`);
  const { status } = (await res.json()) as { status: string };
  const pool = new pg.Pool({ connectionString: `${PG_BASE}/${DB}`, options: `-c search_path=${SCHEMA}`, max: 1 });
  let job: { state: string; result?: { items: number; deliveries: number; duplicates: number } } = {
    state: "waiting",
  };
  let jobDoneMs = 0;
  let stored = 0;
  let raw = 0;
  for (;;) {
    if (!jobDoneMs) {
      job = (await (await fetch(`${url}${status}`, { headers: auth })).json()) as typeof job;
      if (job.state === "completed" || job.state === "failed") jobDoneMs = performance.now() - i0;
    }
    const { rows } = await pool.query<{ raw: string; done: string }>(
      `SELECT (SELECT count(*) FROM raw_deliveries) AS raw,
        (SELECT count(*) FROM raw_deliveries r WHERE r.failed_at IS NOT NULL OR EXISTS (SELECT 1 FROM events e WHERE e.id = r.id)) AS done`,
    );
    raw = Number(rows[0]!.raw);
    stored = Number(rows[0]!.done);
    const expected = job.result ? job.result.deliveries - job.result.duplicates : Infinity;
    if (jobDoneMs && stored === raw && raw >= expected) break;
    if (job.state === "failed") throw new Error("the import job failed");
    if (left() <= 0) break;
    await sleep(250);
  }
  const importMs = performance.now() - i0;
  await pool.end();
  const expected = job.result ? job.result.deliveries - job.result.duplicates : NaN;
  const done = stored === raw && raw >= expected;
  // Past the deadline: the items whose deliveries are stored, in proportion (the rate so far).
  const importItems = (job.result?.items ?? 0) * (done ? 1 : stored / expected);
  console.log(
    `import: job ${job.state} after ${(jobDoneMs / 1000).toFixed(1)} s (reading and enqueueing: ` +
      `${rate(job.result?.items ?? 0, jobDoneMs)} items/s); ${stored} of ${expected} deliveries stored after ` +
      `${(importMs / 1000).toFixed(1)} s${done ? "" : " (deadline reached: partial, rates so far)"}`,
  );
  const importRate = Number(rate(importItems, importMs));
  console.log(
    `import rate: ${importRate} items/s, ${rate(stored, importMs)} deliveries/s (wall time until every delivery is stored)`,
  );
  console.log(`ratio import / ceiling: ${((importRate / Number(rate(ceilingItems, ceilingMs))) * 100).toFixed(1)} %`);
} finally {
  await service?.close().catch(() => undefined);
  await fake.close();
  await dropBenchSchema(db, SCHEMA);
  await db.end();
  await deleteRedisPrefix(REDIS_URL, REDIS_PREFIX);
}
