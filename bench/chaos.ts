/**
 * Chaos bench (issue #7, item 10): does every delivery answered 202 end up stored, once, when a
 * process, Redis or PostgreSQL fails under load? For each scenario the service runs as separate
 * processes (one ROLE=web, two ROLE=worker) against a private redis-server (AOF, fsync every
 * second) and, through a TCP proxy that can refuse connections, the machine's PostgreSQL. A steady
 * stream of signed deliveries (GitHub, Slack, Linear, deploy; a few redeliveries of the same
 * delivery id) is sent; the fault is injected mid-stream and healed; the queue is left to drain;
 * then the database and the senders' log are compared.
 *
 * Scenarios: worker-kill (kill -9 a worker with full batches in flight, restarted 3 s later),
 * web-kill (kill -9 the web process, restarted), redis-kill (SIGKILL redis-server, restarted on its
 * port and directory), redis-hang (SIGSTOP Redis for 5 s), pg-refuse (PostgreSQL refuses connections
 * for 20 s, open ones reset), worker-sigterm (SIGTERM a worker with full batches in flight, restarted).
 *
 * Run: npx tsx bench/chaos.ts   (not part of npm test; ~5 minutes for all six)
 * Env: SCENARIOS (comma list of names or 1–6; all), RATE (deliveries/s, 250), SECONDS (of sending
 * around the fault, 12; longer when the fault lasts longer), TIMEOUT_S (drain bound per scenario,
 * 120), PG_DOWN_S (20), USE_DIST=1 (run node dist/main.js instead of src/ via tsx), KEEP=1 (keep
 * schemas, logs and the Redis directory).
 * Exits non-zero if any accepted delivery was lost or any delivery stored twice.
 * Leaves nothing behind: its processes stopped, its redis-server stopped, its keys, schemas and
 * temporary directory removed. Traffic stays on 127.0.0.1.
 * Modules (bench/chaos/): settings, scenarios, run-scenario (one scenario and its count), harness
 * (cleanup and the reaper), sender and deliveries (the stream), processes, redis-server, pg-proxy.
 */
import os from "node:os";
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { freePort } from "./lifecycle.js";
import { startPgProxy } from "./chaos/pg-proxy.js";
import { abort, cleanup, state, tell, tmp } from "./chaos/harness.js";
import { startRedisServer } from "./chaos/redis-server.js";
import { runScenario, type Row } from "./chaos/run-scenario.js";
import { SCENARIOS } from "./chaos/scenarios.js";
import { BACKOFF_MS, FAULT_AT_S, RATE, SECONDS, TIMEOUT_S } from "./chaos/settings.js";

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
    `load: ${RATE} deliveries/s (40% GitHub, 25% Slack, 20% Linear, 15% deploy; 1 in 50 redelivered), ` +
      `fault at ${FAULT_AT_S.toFixed(1)} s, sending ≥ ${SECONDS} s; ` +
      `retries on 503/connection errors after ${BACKOFF_MS.map((b) => b / 1000).join(", ")} s`,
  );
  console.log(
    `service: 1 × ROLE=web, 2 × ROLE=worker ` +
      `(${process.env.USE_DIST === "1" ? "node dist/main.js" : "node --import tsx src/main.ts"}), ` +
      "its defaults otherwise; private redis-server (appendonly, everysec); PostgreSQL through a TCP proxy",
  );
  state.redis = await startRedisServer(await freePort(), mkdtempSync(path.join(tmp, "redis-")), (pid) => tell({ pid }));
  state.proxy = await startPgProxy({ host: "127.0.0.1", port: 5432 });
  for (const [i, s] of chosen.entries()) {
    if (state.aborted) break;
    console.log(`\n[${i + 1}/${chosen.length}] ${s.name}`);
    try {
      const row = await runScenario(s, SCENARIOS.indexOf(s) + 1);
      rows.push(row);
      console.log(
        `  sent ${row.sent}, accepted ${row.accepted}, stored ${row.stored}, lost ${row.lost}, ` +
          `duplicated ${row.duplicated}, drain ${row.drainS === null ? "TIMEOUT" : `${row.drainS.toFixed(1)} s`}`,
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
    "sent: distinct deliveries (redeliveries aside); " +
      "accepted: answered 202, or 200 duplicate when an earlier attempt had landed; " +
      "refused: attempts answered otherwise or failed to connect (statuses above); " +
      "gave up: still refused after 6 attempts; " +
      "stored: raw delivery with its event; lost: accepted, not in raw_deliveries; " +
      "duplicated: a delivery id stored twice, or an event beyond one per delivery; " +
      "drain: from the last answer to an empty queue",
  );
}
const lost = rows.reduce((n, r) => n + r.lost, 0);
const duplicated = rows.reduce((n, r) => n + r.duplicated, 0);
const undrained = rows.filter((r) => r.drainS === null).length;
console.log(
  `chaos: ${rows.length} scenarios, lost ${lost}, duplicated ${duplicated}` +
    `${undrained ? `, ${undrained} not drained` : ""}${failed ? ", some scenarios failed to run" : ""}`,
);
process.exitCode = state.aborted
  ? process.exitCode
  : lost || duplicated || failed || undrained || rows.length < chosen.length
    ? 1
    : 0;
