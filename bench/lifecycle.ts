import { spawn, type ChildProcess } from "node:child_process";
import type pg from "pg";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A free loopback port (free when asked: the caller binds it soon after). */
export async function freePort(): Promise<number> {
  const srv = createServer().listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export interface StopOptions {
  /** The signal sent first (SIGTERM). */
  signal?: NodeJS.Signals;
  /** How long the process has to exit before SIGKILL (10 s). */
  graceMs?: number;
}

/**
 * Stops a service process as an orchestrator would: SIGTERM (it finishes in-flight work), SIGKILL
 * after 10 s; or `signal`, SIGKILL after `graceMs`. Resolves once it has exited, with how long that
 * took and whether it had to be SIGKILLed ({ ms: 0, killed: false } if it had exited already).
 */
export async function stopChild(
  child: ChildProcess,
  { signal = "SIGTERM", graceMs = 10_000 }: StopOptions = {},
): Promise<{ ms: number; killed: boolean }> {
  const t0 = performance.now();
  if (child.exitCode !== null || child.signalCode !== null) return { ms: 0, killed: false };
  const exited = once(child, "exit");
  child.kill(signal);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, graceMs);
  await exited;
  clearTimeout(timer);
  return { ms: performance.now() - t0, killed };
}

export interface WorkersOptions {
  /** The repository root (the workers' working directory). */
  root: string;
  count: number;
  env: NodeJS.ProcessEnv;
  /** Extra node flags, before the service's own. */
  nodeArgs?: string[];
  /** The bench's running children: each worker joins it, and leaves it when it exits. */
  children: Set<ChildProcess>;
  /** Whether the bench has begun its cleanup: a worker exiting before that is reported. */
  stopping: () => boolean;
  /** The queue the workers consume: they are up once it counts `count` workers. */
  queue: { getWorkersCount(): Promise<number> };
}

/**
 * Spawns `count` service processes (`node --import tsx src/main.ts`, output inherited) and resolves
 * with them once all are connected to `queue`; throws if that takes over 60 s or one of them exits.
 */
export async function spawnWorkers(o: WorkersOptions): Promise<ChildProcess[]> {
  const workers: ChildProcess[] = [];
  for (let i = 0; i < o.count; i++) {
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), "--import", "tsx", "src/main.ts"], {
      cwd: o.root,
      env: o.env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    o.children.add(child);
    workers.push(child);
    child.once("exit", (code, signal) => {
      o.children.delete(child);
      if (!o.stopping()) console.error(`worker ${i} exited early (${code ?? signal})`);
    });
  }
  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
  for (const until = Date.now() + 60_000; (await o.queue.getWorkersCount()) < o.count; await sleep(100)) {
    if (Date.now() > until || workers.some(exited)) throw new Error("workers did not start within 60 s");
  }
  return workers;
}

/**
 * Resolves once `http://127.0.0.1:<port><path>` answers `status`; throws if `child` exits first, `check`
 * throws (the bench is aborting), or `timeoutMs` passes.
 */
export async function waitHttp(
  child: ChildProcess,
  port: number,
  path: string,
  status: number,
  { timeoutMs = 20_000, check }: { timeoutMs?: number; check?: () => void } = {},
): Promise<void> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(25)) {
    check?.();
    if (child.exitCode !== null || child.signalCode)
      throw new Error(`${child.spawnargs.join(" ")} exited (${child.exitCode ?? child.signalCode})`);
    const answer = await fetch(`http://127.0.0.1:${port}${path}`).then(
      (r) => r.status,
      () => 0,
    );
    if (answer === status) return;
  }
  throw new Error(`${child.spawnargs.join(" ")} not ready on ${path} within ${timeoutMs / 1000} s`);
}

/** Drops a benchmark's schema on a connected client, unless KEEP=1 asks to keep it for a look. */
export async function dropBenchSchema(db: pg.Client, schema: string): Promise<void> {
  if (process.env.KEEP === "1") {
    console.log(`kept schema ${schema} in ${db.database}`);
    return;
  }
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((e) => console.error(`drop schema: ${e.message}`));
}

/** CPU seconds (user + system) a process has used so far (Linux /proc), or NaN elsewhere. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}
