/**
 * The chaos bench's last line of cleanup, for when the bench itself dies before its own cleanup
 * (SIGKILL, or tsx SIGKILLing it on a second Ctrl-C). Started detached, in its own process group;
 * the bench tells it on stdin, one JSON object a line, what it created: `{"pid": n}` (its service
 * processes and redis-server), `{"schema": "..."}`, `{"dir": "..."}`, and `{"done": true}` once it
 * has cleaned up itself. If stdin closes without "done" (the bench is gone), the reaper kills those
 * processes (only if they still run one of the bench's commands), drops the schemas, removes the
 * directories, and exits. Run by bench/chaos.ts; not meant to be run by hand.
 */
import { readFileSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import pg from "pg";

const pids = new Set<number>();
const schemas = new Set<string>();
const dirs = new Set<string>();
let done = false;
const database = process.argv[2] ?? "postgresql://postgres@127.0.0.1:5432/switchyard_bench";

for (const sig of ["SIGINT", "SIGHUP", "SIGTERM"] as const) process.on(sig, () => undefined);
setTimeout(() => process.exit(0), 60 * 60_000).unref(); // never outlives an hour

const ours = (pid: number) => {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /redis-server|src\/main\.ts|dist\/main\.js/.test(cmd);
  } catch {
    return false;
  }
};

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  try {
    const m = JSON.parse(line) as { pid?: number; schema?: string; dir?: string; done?: boolean };
    if (m.pid) pids.add(m.pid);
    if (m.schema) schemas.add(m.schema);
    if (m.dir) dirs.add(m.dir);
    if (m.done) done = true;
  } catch {
    // not ours
  }
});
lines.on("close", async () => {
  if (done) process.exit(0);
  const log: string[] = [];
  for (const pid of pids) {
    if (!ours(pid)) continue;
    try {
      process.kill(pid, "SIGCONT");
      process.kill(pid, "SIGKILL");
      log.push(`killed ${pid}`);
    } catch {
      // gone meanwhile
    }
  }
  if (schemas.size) {
    const db = new pg.Client({ connectionString: database, connectionTimeoutMillis: 5000 });
    try {
      await db.connect();
      for (const s of schemas) {
        await db.query(`DROP SCHEMA IF EXISTS "${s.replaceAll('"', '""')}" CASCADE`);
        log.push(`dropped schema ${s}`);
      }
    } catch (err) {
      log.push(`drop schemas: ${(err as Error).message}`);
    } finally {
      await db.end().catch(() => undefined);
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  if (log.length) console.error(`chaos reaper: the bench stopped before cleaning up; ${log.join(", ")}`);
  process.exit(0);
});
