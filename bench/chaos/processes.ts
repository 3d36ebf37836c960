/**
 * The service's processes for one chaos scenario: `node --import tsx src/main.ts` (as
 * bench/pipeline.ts runs it: the current src/, no build step) or `node dist/main.js` with
 * USE_DIST=1. Each process logs to its own file; every process ever started is tracked so the
 * bench can stop them all, whatever happened.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { stopChild } from "../lifecycle.js";

export interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
  startedAt: number;
  /** Set once it exits: code or signal, and whether the bench asked for it. */
  exit?: { code: number | null; signal: NodeJS.Signals | null; expected: boolean; at: number };
  expectExit: boolean;
}

const all = new Set<Proc>();
let spawnHook: ((pid: number) => void) | undefined;

/** Called with the pid of every process started from now on (the bench's reaper records them). */
export function onSpawn(hook: (pid: number) => void): void {
  spawnHook = hook;
}

export function spawnService(root: string, name: string, env: Record<string, string>, log: string): Proc {
  const args = process.env.USE_DIST === "1" ? ["dist/main.js"] : ["--import", "tsx", "src/main.ts"];
  const fd = openSync(log, "a");
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  if (child.pid) spawnHook?.(child.pid);
  const proc: Proc = { name, child, log, startedAt: Date.now(), expectExit: false };
  all.add(proc);
  child.once("exit", (code, signal) => {
    proc.exit = { code, signal, expected: proc.expectExit, at: Date.now() };
  });
  return proc;
}

export const alive = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;

/** Sends `signal` and resolves with the exit, SIGKILL after `graceMs`. */
export async function signal(p: Proc, sig: NodeJS.Signals, graceMs = 15_000): Promise<{ ms: number; killed: boolean }> {
  p.expectExit = true;
  return stopChild(p.child, { signal: sig, graceMs });
}

/** Stops every process ever started (SIGTERM, SIGKILL after 10 s). */
export async function stopAll(graceMs = 10_000): Promise<void> {
  await Promise.all([...all].map((p) => signal(p, "SIGTERM", graceMs)));
}

/** Sync last resort (process 'exit'): SIGKILL whatever is still running. */
export function killAllNow(): void {
  for (const p of all) if (alive(p)) p.child.kill("SIGKILL");
}

/** Waits until `url` answers 200, the process dies, or `ms` passes. */
export async function waitHttpOk(p: Proc, url: string, ms: number): Promise<number> {
  const t0 = performance.now();
  for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) {
    if (!alive(p))
      throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) before ready; see ${p.log}`);
    const status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return performance.now() - t0;
  }
  throw new Error(`${p.name} not ready at ${url} within ${ms / 1000} s; see ${p.log}`);
}

/** Counts a process log's lines by pino message (level ≥ warn), and keeps a few lines that are not pino JSON. */
export function summarizeLog(file: string): { messages: Map<string, number>; other: string[] } {
  const messages = new Map<string, number>();
  const other: string[] = [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { messages, other };
  }
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown; reason?: unknown };
      if ((entry.level ?? 0) < 40) continue;
      const detail = typeof entry.err === "string" ? entry.err : typeof entry.reason === "string" ? entry.reason : "";
      // Prisma's messages span lines (with a code frame): their last line says what happened.
      const last = detail.trim().split("\n").pop()?.trim() ?? "";
      const key = `${entry.msg ?? "?"}${last ? `: ${last.slice(0, 90)}` : ""}`;
      messages.set(key, (messages.get(key) ?? 0) + 1);
    } catch {
      if (other.length < 8) other.push(line.slice(0, 200));
    }
  }
  return { messages, other };
}
