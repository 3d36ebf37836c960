/**
 * One chaos scenario: the service's processes on a private schema and Redis prefix, the stream with
 * its fault, the drain, then the count: every accepted delivery stored once (bench/chaos.ts).
 */
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { INGEST_QUEUE } from "../../src/queue/ingest/queue.js";
import { migrate } from "../../src/store/migrate.js";
import { freePort } from "../lifecycle.js";
import { deleteRedisPrefix } from "../redis-prefix.js";
import { adminClient, prefixes, schemas, state, tell, tmp } from "./harness.js";
import { alive, signal, spawnService, summarizeLog, waitHttpOk, type Proc } from "./processes.js";
import type { Ctx, Scenario } from "./scenarios.js";
import { createSender, type Attempt } from "./sender.js";
import { BACKOFF_MS, DB, FAULT_AT_S, KEEP, PG_BASE, RATE, ROOT, run, SECONDS, SECRETS, TIMEOUT_S } from "./settings.js";

export interface Row {
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

export async function runScenario(s: Scenario, index: number): Promise<Row> {
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
    DATABASE_URL: `postgresql://postgres@127.0.0.1:${state.proxy!.port}/${DB}?schema=${schema}`,
    REDIS_URL: state.redis!.url,
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

  const queueRedis = new Redis(state.redis!.url, { maxRetriesPerRequest: null });
  queueRedis.on("error", () => undefined);
  const queue = new Queue(INGEST_QUEUE, { connection: queueRedis, prefix });
  queue.on("error", () => undefined);
  const events = new QueueEvents(INGEST_QUEUE, {
    connection: { host: "127.0.0.1", port: state.redis!.port, maxRetriesPerRequest: null },
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
  state.activeSender = sender;
  const timeline: string[] = [];
  let t0 = Date.now();
  const mark = (what: string) => timeline.push(`${seconds(Date.now() - t0)}s ${what}`);
  Object.assign(ctx, {
    redis: state.redis!,
    proxy: state.proxy!,
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
    if (state.aborted) throw new Error("aborted");
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
    for (const until = Date.now() + TIMEOUT_S * 1000; Date.now() < until && !state.aborted; await sleep(250)) {
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
        `SELECT r.platform || ':' || r.delivery_id AS key, r.id::text AS id, r.error IS NOT NULL AS bad,
              e.id IS NOT NULL AS ev
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
        `SELECT left(error, 120) AS error, count(*)::int AS n FROM raw_deliveries WHERE error IS NOT NULL
         GROUP BY 1 ORDER BY 2 DESC LIMIT 3`,
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
      `service up in ${startS.toFixed(1)} s; sent ${originals.length} over ${sendS.toFixed(1)} s + ` +
        `${redeliveries.length} redeliveries (${fmtMap(redeliveryOutcomes)})`,
      `refused attempts by status: ${fmtMap(refusals(log.map((r) => r.attempts)))}; ` +
        `accepted after a retry ${originals.filter((r) => ok(r) && r.attempts.length > 1).length}, ` +
        "of which answered 200 duplicate (an earlier attempt had landed) " +
        `${originals.filter((r) => r.outcome === "duplicate").length}`,
      `gave up ${gaveUp.length} (stored anyway: ${landedAnyway}); final 4xx/aborted ${refusedFinal.length}` +
        (refusedFinal.length ? ` (${fmtMap(refusals(refusedFinal.map((r) => r.attempts.slice(-1))))})` : ""),
      `database: ${raws.length} raw deliveries, ${ev!.total} events; pending at the end ${pending}; ` +
        `failed jobs kept ${failedJobs}; stalled jobs seen ${stalled}; 202 id ≠ stored id ${idMismatch}` +
        (ev!.orphan ? `; events without raw delivery ${ev!.orphan}` : ""),
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
    state.activeSender = undefined;
    await Promise.all(procs.map((p) => signal(p, "SIGKILL")));
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    queueRedis.disconnect();
    // On abort, cleanup() deletes the keys and schemas (and may have stopped Redis already).
    if (!state.aborted && state.redis!.running) {
      state.redis!.resume();
      await deleteRedisPrefix(state.redis!.url, prefix).catch((e: Error) =>
        console.error(`delete redis keys: ${e.message}`),
      );
      prefixes.splice(prefixes.indexOf(prefix), 1);
    }
    if (!state.aborted && !KEEP) {
      await db
        .query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        .catch((e: Error) => console.error(`drop schema: ${e.message}`));
      schemas.splice(schemas.indexOf(schema), 1);
    }
  }
}
