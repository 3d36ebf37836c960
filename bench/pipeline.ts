/**
 * Pipeline benchmark: events/s that the workers store and correlate, and receive-to-correlated latency.
 * A realistic multi-platform mix (GitHub PRs, pushes, reviews, issues; Slack messages; Linear issues;
 * generic deploys) over REPOS repositories and a few Linear teams is enqueued as fast as possible on
 * the project's own ingest queue, then WORKERS child processes of the real service (ROLE=worker)
 * drain it into a private schema. Leaves nothing behind (schema dropped, Redis prefix deleted).
 * Run: npx tsx bench/pipeline.ts
 * Env: EVENTS (50000), BENCH_PG_BASE (postgresql://postgres@127.0.0.1:5432), WORKER_NODE_ARGS (node flags of the workers, e.g. --cpu-prof), WORKERS (2), BENCH_SEED (a fixed workload: compare graph digests across commits), WORKER_BATCH_SIZE, WORKER_WRITERS and WORKER_CONCURRENCY (the service's defaults), REPOS (EVENTS/250, at most 200), TIMEOUT_S (900), KEEP=1 (keep schema).
 */
import { dropBenchSchema, spawnWorkers, stopChild } from "./lifecycle.js";
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import { deleteRedisPrefix } from "./redis-prefix.js";
import { v7 as uuidv7 } from "uuid";
import { loadConfig } from "../src/shared/config.js";
import { githubPriority, githubType } from "../src/platforms/github/classify.js";
import { linearPriority, linearType } from "../src/platforms/linear/classify.js";
import { slackPriority, slackType } from "../src/platforms/slack/classify.js";
import { deployPriority } from "../src/platforms/deploy/classify.js";
import { createIngestQueue } from "../src/queue/ingest-queue.js";
import { JOB_PRIORITY } from "../src/queue/priority.js";
import { deployRequest, githubRequest, linearRequest, slackRequest, type SignedRequest } from "../kit/sign.js";
import type { Delivery } from "../src/shared/event.js";
import { migrate } from "../src/store/migrate.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = env("EVENTS", 50_000);
const WORKERS = env("WORKERS", 2);
// Batch size and jobs in flight per worker: the service's own defaults unless set here.
const {
  WORKER_BATCH_SIZE: BATCH_SIZE,
  WORKER_WRITERS: WRITERS,
  WORKER_CONCURRENCY: CONCURRENCY,
} = loadConfig(process.env);
// ~250 events per repository (200 at the default 50,000), so small runs still get production deploys.
const REPOS = env("REPOS", Math.min(200, Math.max(8, Math.round(EVENTS / 250))));
const TIMEOUT_MS = env("TIMEOUT_S", 900) * 1000;
const TARGET = 3000; // events/s
const BATCH = 500; // jobs per addBulk
const LANES = 4; // addBulk calls in flight

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// BENCH_SEED fixes the workload (SHAs, ids, times), so two commits' graphs can be compared digest for digest.
const SEED = process.env.BENCH_SEED;
const run = SEED ?? randomBytes(4).toString("hex");
const REDIS_URL = "redis://127.0.0.1:6379";
const REDIS_PREFIX = `bench-pipeline-${run}`;
// BENCH_PG_BASE: another server (say one with pg_stat_statements loaded, for a profile).
const PG_BASE = process.env.BENCH_PG_BASE ?? "postgresql://postgres@127.0.0.1:5432";
const DB = "switchyard_bench";
const SCHEMA = `pipeline_${run}`;
const DATABASE_URL = `${PG_BASE}/${DB}?schema=${SCHEMA}`;
// Signatures are not checked past the receiver; they are there so headers look as senders send them.
const SECRET = "bench-secret";
const DEPLOY_SECRET = `whsec_${Buffer.from("bench-deploy-secret-0123456789ab").toString("base64")}`;

// ---------------------------------------------------------------------------------------------
// Workload: per repository, repeated "PR cycles" (Linear issue → branch push → PR → Slack review
// request → review → merge → main push → staging/production deploys → Slack "shipped"), so that
// correlation meets every join it has: PR↔commits, Linear mentions, deploy ranges, deploy URLs.
// ---------------------------------------------------------------------------------------------

/** A delivery minus what the receiver stamps at enqueue time (id, receivedAt). */
type Pending = Omit<Delivery, "id" | "receivedAt">;

let seed = 0x5eed;
/** Deterministic PRNG (mulberry32): the same mix on every run. */
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
let shaCounter = 0;
const newSha = () => createHash("sha1").update(`${run}:${++shaCounter}`).digest("hex");

const TEAMS = ["ENG", "WEB", "API", "OPS", "DATA", "MOB"];
const PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
const ENVS = ["staging", "production-us", "production-eu", "production-ap"];
const WORDS = [
  "checkout",
  "login",
  "retry",
  "cache",
  "search",
  "billing",
  "export",
  "timeouts",
  "webhooks",
  "avatar",
  "invoice",
  "sync",
];
const ZERO = "0".repeat(40);

interface Repo {
  name: string;
  team: string;
  channel: string;
  main: string; // head of main
  number: number; // PR/issue counter
  clock: number; // simulated time, ms
  cycles: number;
  deploys: number;
}
const teamIssues = new Map<string, number>(TEAMS.map((t) => [t, 0]));
let slackSeq = 0;

function repoObject(r: Repo) {
  const [owner, name] = r.name.split("/");
  return {
    id: 1000 + r.cycles,
    name,
    full_name: r.name,
    private: true,
    html_url: `https://github.com/${r.name}`,
    default_branch: "main",
    owner: { login: owner },
  };
}

async function github(r: Repo, event: string, payload: Record<string, unknown>, actor: string): Promise<Pending> {
  const full = { ...payload, repository: repoObject(r), sender: { login: actor, type: "User" } };
  const req = await githubRequest(event, full, SECRET, randomUUID());
  return {
    platform: "github",
    deliveryId: req.headers["x-github-delivery"]!,
    contentType: "application/json",
    headers: req.headers,
    body: req.body,
    type: githubType(event, full),
    priority: githubPriority(event, full),
  };
}

function slack(r: Repo, text: string, at: number, threadTs?: string): { pending: Pending; ts: string } {
  const ts = `${Math.floor(at / 1000)}.${String(++slackSeq).padStart(6, "0")}`;
  const event = {
    type: "message",
    channel: r.channel,
    user: `U${pick(PEOPLE).toUpperCase()}`,
    text,
    ts,
    event_ts: ts,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };
  const envelope = {
    type: "event_callback",
    team_id: "T0ACME",
    api_app_id: "A0SWITCH",
    event_id: `Ev${run}${slackSeq}`,
    event_time: Math.floor(at / 1000),
    event,
  };
  const req = slackRequest(JSON.stringify(envelope), "application/json", SECRET);
  const type = slackType({ kind: "event", envelope, event });
  return {
    ts,
    pending: {
      platform: "slack",
      deliveryId: envelope.event_id,
      contentType: "application/json",
      headers: req.headers,
      body: req.body,
      type,
      priority: slackPriority(type),
    },
  };
}

function linear(action: string, data: Record<string, unknown>, at: number): Pending {
  const payload = {
    action,
    type: "Issue",
    data,
    url: data.url,
    createdAt: new Date(at).toISOString(),
    actor: { id: "u1", name: pick(PEOPLE), type: "user" },
  };
  const req = linearRequest(payload, SECRET, randomUUID());
  return {
    platform: "linear",
    deliveryId: req.headers["linear-delivery"]!,
    contentType: "application/json",
    headers: req.headers,
    body: req.body,
    type: linearType(payload),
    priority: linearPriority(),
  };
}

function deploy(
  r: Repo,
  id: string,
  environment: string,
  status: string,
  sha: string,
  started: number,
  finished?: number,
): Pending {
  const body = {
    id,
    repository: r.name,
    environment,
    status,
    sha,
    ref: "main",
    service: r.name.split("/")[1],
    url: `https://deploy.example.com/${r.name}/${id}`,
    started_at: new Date(started).toISOString(),
    ...(finished ? { finished_at: new Date(finished).toISOString() } : {}),
  };
  const req: SignedRequest = deployRequest(body, DEPLOY_SECRET);
  return {
    platform: "deploy",
    deliveryId: req.headers["webhook-id"]!,
    contentType: "application/json",
    headers: req.headers,
    body: req.body,
    type: `deploy.${status}`,
    priority: deployPriority(status),
  };
}

/** One PR cycle in `r`: 11–17 deliveries. */
async function cycle(r: Repo): Promise<Pending[]> {
  const out: Pending[] = [];
  const tick = (minutes: number) => (r.clock += minutes * 60_000 * (0.5 + rand()));
  const iso = () => new Date(r.clock).toISOString();
  const author = pick(PEOPLE);
  const teamNo = teamIssues.get(r.team)! + 1;
  teamIssues.set(r.team, teamNo);
  const ident = `${r.team}-${teamNo}`;
  const word = pick(WORDS);
  // No "name-123" tokens in titles other than real identifiers: "service-12" would read as a Linear
  // identifier of team SERVICE, and every PR would then lock that one team scope.
  const title = `${pick(["Fix", "Improve", "Refactor", "Speed up"])} ${word} ${pick(WORDS)}`;
  const issueUrl = `https://linear.app/acme/issue/${ident}/${word}`;
  const issueId = randomUUID();
  const created = iso();
  const issueData = (state: string) => ({
    id: issueId,
    identifier: ident,
    number: teamNo,
    title,
    team: { id: r.team.toLowerCase(), key: r.team, name: r.team },
    state: { name: state },
    url: issueUrl,
    createdAt: created,
    updatedAt: iso(),
  });
  out.push(linear("create", issueData("Todo"), r.clock));

  // Branch push: new branch, two or three commits.
  const branch = `${author}/${ident.toLowerCase()}-${word}`;
  const commits = Array.from({ length: 2 + Math.floor(rand() * 2) }, (_, i) => ({
    id: newSha(),
    message: `${word}: step ${i + 1}`,
    timestamp: iso(),
    url: "",
    author: { name: author },
  }));
  for (const c of commits) c.url = `https://github.com/${r.name}/commit/${c.id}`;
  tick(20);
  out.push(
    await github(
      r,
      "push",
      {
        ref: `refs/heads/${branch}`,
        before: ZERO,
        after: commits.at(-1)!.id,
        forced: false,
        created: true,
        compare: `https://github.com/${r.name}/compare/${branch}`,
        commits,
        head_commit: commits.at(-1),
      },
      author,
    ),
  );

  // Now and then a GitHub issue the PR closes.
  let closes = "";
  if (rand() < 0.25) {
    const n = ++r.number;
    out.push(
      await github(
        r,
        "issues",
        {
          action: "opened",
          issue: {
            number: n,
            title: `${word} is broken`,
            state: "open",
            html_url: `https://github.com/${r.name}/issues/${n}`,
            updated_at: iso(),
            user: { login: author },
          },
        },
        author,
      ),
    );
    closes = `\nFixes #${n}`;
  }

  const number = ++r.number;
  const prUrl = `https://github.com/${r.name}/pull/${number}`;
  tick(10);
  const pr = {
    number,
    title,
    body: `Fixes ${ident}${closes}\n\nSee ${issueUrl}`,
    state: "open",
    merged: false,
    html_url: prUrl,
    user: { login: author },
    head: { ref: branch, sha: commits.at(-1)!.id },
    base: { ref: "main" },
    merge_commit_sha: null as string | null,
    created_at: iso(),
    updated_at: iso(),
    merged_at: null as string | null,
    closed_at: null as string | null,
  };
  out.push(await github(r, "pull_request", { action: "opened", number, pull_request: pr }, author));
  tick(5);
  const root = slack(r, `Review please: <${prUrl}> for ${ident}`, r.clock);
  out.push(root.pending);
  tick(60);
  out.push(
    await github(
      r,
      "pull_request_review",
      {
        action: "submitted",
        review: { state: "approved", commit_id: pr.head.sha, submitted_at: iso(), html_url: `${prUrl}#review` },
        pull_request: { ...pr, updated_at: iso() },
      },
      pick(PEOPLE),
    ),
  );
  out.push(linear("update", issueData("In Review"), r.clock));

  // One PR in six is closed without merging (and its issue stays open).
  tick(30);
  if (rand() < 1 / 6) {
    out.push(
      await github(
        r,
        "pull_request",
        { action: "closed", number, pull_request: { ...pr, state: "closed", updated_at: iso(), closed_at: iso() } },
        author,
      ),
    );
    return out;
  }
  const merge = newSha();
  out.push(
    await github(
      r,
      "pull_request",
      {
        action: "closed",
        number,
        pull_request: {
          ...pr,
          state: "closed",
          merged: true,
          merge_commit_sha: merge,
          updated_at: iso(),
          merged_at: iso(),
          closed_at: iso(),
        },
      },
      author,
    ),
  );
  const message = `${title} (#${number})\n\nFixes ${ident}`;
  const mainCommit = {
    id: merge,
    message,
    timestamp: iso(),
    url: `https://github.com/${r.name}/commit/${merge}`,
    author: { name: author },
  };
  out.push(
    await github(
      r,
      "push",
      {
        ref: "refs/heads/main",
        before: r.main,
        after: merge,
        forced: false,
        compare: "",
        commits: [mainCommit],
        head_commit: mainCommit,
      },
      author,
    ),
  );
  r.main = merge;

  // Staging gets every merge; production environments every 2nd/3rd/4th, so their ranges span
  // several merges. Production sends started then a final status; one in ten fails.
  const envs = ENVS.filter((_, i) => r.cycles % (i + 1) === 0);
  let shipped = "";
  for (const environment of envs) {
    const id = `${r.name.replace("/", "-")}-${++r.deploys}`;
    const start = tick(15);
    if (environment !== "staging") out.push(deploy(r, id, environment, "started", merge, start));
    const status = environment !== "staging" && rand() < 0.1 ? "failed" : "succeeded";
    out.push(deploy(r, id, environment, status, merge, start, tick(5)));
    shipped = `https://deploy.example.com/${r.name}/${id}`;
  }
  tick(5);
  out.push(slack(r, `Shipped ${ident} <${shipped}>`, r.clock, root.ts).pending);
  out.push(linear("update", issueData("Done"), r.clock));
  return out;
}

async function workload(n: number): Promise<Pending[]> {
  const start = SEED ? Date.parse("2026-09-01T00:00:00Z") : Date.now() - 60 * 86_400_000;
  const repos: Repo[] = Array.from({ length: REPOS }, (_, i) => ({
    name: `org${i % 7}/service-${i}`,
    team: TEAMS[i % TEAMS.length]!,
    channel: `C${String(i % 40).padStart(8, "0")}`,
    main: newSha(),
    number: 0,
    clock: start + i * 60_000,
    cycles: 0,
    deploys: 0,
  }));
  const out: Pending[] = [];
  // Round-robin over repositories, so concurrent jobs mostly touch different repositories.
  while (out.length < n) {
    for (const r of repos) {
      if (out.length >= n) break;
      r.cycles++;
      out.push(...(await cycle(r)));
    }
  }
  return out.slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

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

/** The tables the pipeline writes, parents before the rows that reference them. */
const WRITTEN = [
  "raw_deliveries",
  "events",
  "github_events",
  "slack_events",
  "linear_events",
  "deployments",
  "commits",
  "branch_commits",
  "pull_requests",
  "deploys",
  "linear_teams",
  "linear_issues",
  "entities",
  "mentions",
  "links",
  "outbox",
];

/**
 * What this machine's PostgreSQL does without the pipeline: the very rows the run ended with,
 * written set-based (one INSERT … SELECT per table, in one transaction) into an empty copy of the
 * schema made by the same migrations, so every index, key and constraint is paid for again.
 */
async function storageCeiling(): Promise<{ rate: number; rows: number; seconds: number }> {
  const copy = `${SCHEMA}_ceiling`;
  await migrate(`${PG_BASE}/${DB}?schema=${copy}`);
  try {
    const t = performance.now();
    let rows = 0;
    await db.query("BEGIN");
    for (const table of WRITTEN)
      rows += (await db.query(`INSERT INTO "${copy}".${table} SELECT * FROM "${SCHEMA}".${table}`)).rowCount ?? 0;
    await db.query("COMMIT");
    const seconds = (performance.now() - t) / 1000;
    return { rate: EVENTS / seconds, rows, seconds };
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS "${copy}" CASCADE`);
  }
}
const ms = (s: number | null | undefined) => (s == null ? "n/a" : `${(s * 1000).toFixed(0)} ms`);

try {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores, ${cpus[0]?.model.trim()}, node ${process.version}, ${os.platform()} ${os.release()}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `setup: ${EVENTS} events, ${REPOS} repositories, ${TEAMS.length} Linear teams, ${WORKERS} worker processes, ${WRITERS} writers each, batches of up to ${BATCH_SIZE}, ${CONCURRENCY} jobs in flight each (src/main.ts ROLE=worker)`,
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

  // stored_at is now() in the storing transaction; latency = stored_at - received_at (enqueue time).
  const [s] = await q(`
    SELECT count(*)::int AS n, extract(epoch FROM max(stored_at))::float8 * 1000 AS last,
           percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - received_at)) AS p
    FROM events`);
  const byPriority = await q(`
    SELECT priority, count(*)::int AS n,
           percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - received_at)) AS p
    FROM events GROUP BY priority ORDER BY min(array_position(ARRAY['critical','high','normal','low'], priority))`);
  const [g] = await q(`
    SELECT (SELECT count(*) FROM entities)::int AS entities, (SELECT count(*) FROM links)::int AS links,
           (SELECT count(*) FROM mentions)::int AS mentions, (SELECT count(*) FROM deploys WHERE range_known)::int AS ranges`);
  const relations = await q(`SELECT relation, count(*)::int AS n FROM links GROUP BY relation ORDER BY n DESC`);
  // Entity for entity, link for link: digests of the graph's rows without event ids or times, to compare two runs.
  const [d] = await q(`
    SELECT (SELECT md5(string_agg(from_key || ' ' || relation || ' ' || to_key || ' ' || rule || ' ' || confidence, E'\\n'
                   ORDER BY from_key, to_key, relation, rule)) FROM links) AS links,
           (SELECT md5(string_agg(key || ' ' || kind || ' ' || coalesce(title, '') || ' ' || coalesce(state, ''), E'\\n'
                   ORDER BY key)) FROM entities) AS entities`);

  const wall = s.n ? (s.last - t0) / 1000 : (Date.now() - t0) / 1000;
  const rate = s.n / wall;
  const [p50, p95, p99] = (s.p ?? [null, null, null]) as Array<number | null>;
  const complete = s.n === EVENTS;
  console.log(
    `events: ${s.n} of ${EVENTS} stored and correlated${failed ? `, ${failed} jobs failed` : ""}${complete ? "" : " (INCOMPLETE)"}`,
  );
  console.log(`wall time: ${wall.toFixed(1)} s (first enqueue to last stored)`);
  console.log(`throughput: ${rate.toFixed(0)} events/s`);
  console.log(`latency receive→correlated: p50 ${ms(p50)}, p95 ${ms(p95)}, p99 ${ms(p99)}`);
  console.log(
    `  by priority: ${byPriority.map((r) => `${r.priority} (${r.n}) p50 ${ms(r.p[0])} p99 ${ms(r.p[1])}`).join("; ")}`,
  );
  console.log(
    `graph: ${g.entities} entities, ${g.links} links (${relations.map((r) => `${r.relation} ${r.n}`).join(", ")}), ${g.mentions} mentions, ${g.ranges} deploys with a known range`,
  );
  console.log(`graph digest: links ${d.links}, entities ${d.entities}`);
  console.log(
    `target: >= ${TARGET} events/s: ${complete && rate >= TARGET ? "MET" : "NOT MET"} (${rate.toFixed(0)} events/s)`,
  );
  const ceiling = await storageCeiling();
  console.log(
    `storage ceiling: ${ceiling.rate.toFixed(0)} events/s (the run's ${ceiling.rows} final rows written set-based into an empty copy of the schema, indexes and keys included, in ${ceiling.seconds.toFixed(2)} s)`,
  );
  console.log(`ratio: ${((100 * rate) / ceiling.rate).toFixed(1)} %`);
  if (!complete) process.exitCode = 1;
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
