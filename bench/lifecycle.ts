import type { ChildProcess } from "node:child_process";
import type pg from "pg";
import { once } from "node:events";

/** Stops a service process as an orchestrator would: SIGTERM (it finishes in-flight work), SIGKILL after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Drops a benchmark's schema on a connected client, unless KEEP=1 asks to keep it for a look. */
export async function dropBenchSchema(db: pg.Client, schema: string): Promise<void> {
  if (process.env.KEEP === "1") {
    console.log(`kept schema ${schema} in ${db.database}`);
    return;
  }
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((e) => console.error(`drop schema: ${e.message}`));
}
