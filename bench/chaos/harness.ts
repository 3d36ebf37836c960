/**
 * The chaos bench's harness: its temporary directory, the reaper that cleans up if the bench dies,
 * and cleanup() on exit or signal (processes, Redis keys and server, schemas, directory).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { deleteRedisPrefix } from "../redis-prefix.js";
import type { PgProxy } from "./pg-proxy.js";
import { killAllNow, onSpawn, stopAll } from "./processes.js";
import type { RedisServer } from "./redis-server.js";
import type { Sender } from "./sender.js";
import { DB, KEEP, PG_BASE, ROOT } from "./settings.js";

export const tmp = mkdtempSync(path.join(os.tmpdir(), "switchyard-chaos-"));

// A detached reaper cleans up after us if this process dies before its own cleanup (SIGKILL, or
// tsx SIGKILLing it on a second Ctrl-C): it is told every pid, schema and directory made here.
const reaper = spawn(process.execPath, ["--import", "tsx", "bench/chaos/reaper.ts", `${PG_BASE}/${DB}`], {
  cwd: ROOT,
  detached: true,
  stdio: ["pipe", "ignore", "inherit"],
});
reaper.unref();
reaper.stdin!.on("error", () => undefined);
export const tell = (m: object) => void reaper.stdin!.write(`${JSON.stringify(m)}\n`);
if (!KEEP) tell({ dir: tmp });
onSpawn((pid) => tell({ pid }));
/** What cleanup() must undo or stop, filled in as the bench goes. */
export const state: {
  redis?: RedisServer;
  proxy?: PgProxy;
  admin?: pg.Client;
  activeSender?: Sender;
  aborted: boolean;
} = { aborted: false };
export const prefixes: string[] = [];
export const schemas: string[] = [];

/**
 * The one connection to the bench database (public schema) that counts rows and drops schemas;
 * cleanup() ends it.
 */
export async function adminClient(): Promise<pg.Client> {
  if (state.admin) return state.admin;
  const client = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
  await client.connect();
  state.admin = client;
  return client;
}

let cleaned: Promise<void> | undefined;
export function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    state.activeSender?.abort();
    state.activeSender?.close();
    state.redis?.resume(); // a hung Redis would hold up the processes' shutdown
    await stopAll(10_000).catch((e: Error) => console.error(`stop processes: ${e.message}`));
    // The keys go with the server's directory anyway; deleted first, for KEEP=1 (which keeps it).
    if (state.redis?.running) {
      state.redis.resume();
      for (const prefix of prefixes) {
        await deleteRedisPrefix(state.redis.url, prefix).catch((e: Error) =>
          console.error(`delete redis keys ${prefix}: ${e.message}`),
        );
      }
    }
    await state.redis?.stop().catch(() => undefined);
    await state.proxy?.close().catch(() => undefined);
    if (!state.admin && schemas.length) await adminClient().catch(() => undefined);
    if (state.admin) {
      for (const schema of schemas) {
        if (KEEP) console.log(`kept schema ${schema} in ${DB}`);
        else
          await state.admin
            .query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
            .catch((e: Error) => console.error(`drop schema ${schema}: ${e.message}`));
      }
      await state.admin.end().catch(() => undefined);
    }
    if (KEEP) console.log(`kept logs and Redis directory in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
    reaper.stdin!.end(`${JSON.stringify({ done: true })}\n`); // all done: the reaper exits
  })();
  return cleaned;
}

export function abort(code: number, why: string) {
  if (state.aborted) return;
  state.aborted = true;
  console.error(`chaos: ${why}; stopping`);
  process.exitCode = code;
  state.activeSender?.abort();
  void cleanup().finally(() => process.exit(code));
  setTimeout(() => process.exit(code), 30_000).unref(); // if cleanup itself hangs
}
// `on`, not `once`: a second signal (tsx relays Ctrl-C too) must not kill the bench before it has
// cleaned up.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => abort(130, sig));
process.on("exit", () => {
  killAllNow();
  state.redis?.resume();
});
