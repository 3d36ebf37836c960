/**
 * A private redis-server for the chaos bench: its own port and directory, AOF with fsync every
 * second (what a production deployment runs), so it can be SIGKILLed, SIGSTOPped and restarted on
 * the same port and directory without touching the machine's shared Redis.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { stopChild } from "../lifecycle.js";

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Whether the process is there (running or stopped). */
  readonly running: boolean;
  /** SIGKILL: no shutdown, no final fsync; what is in the AOF (page cache included) survives. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (loads the AOF); resolves once it answers PING. */
  restart(): Promise<number>;
  /** SIGSTOP / SIGCONT: connections stay open, nothing answers. */
  hang(): void;
  resume(): void;
  /** Stops it for good (SIGCONT first, in case it is hung). */
  stop(): Promise<void>;
}

async function ping(url: string): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 300,
    retryStrategy: () => null,
  });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** `onSpawn` gets the pid of each redis-server started (the first and every restart). */
export async function startRedisServer(
  port: number,
  dir: string,
  onSpawn?: (pid: number) => void,
): Promise<RedisServer> {
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stopped = false;

  async function launch(): Promise<number> {
    const t0 = performance.now();
    const c = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--dir",
        dir,
        "--logfile",
        "redis.log",
        "--daemonize",
        "no",
      ],
      { stdio: "ignore" },
    );
    child = c;
    if (c.pid) onSpawn?.(c.pid);
    for (const until = Date.now() + 20_000; Date.now() < until; await sleep(50)) {
      if (c.exitCode !== null || c.signalCode !== null)
        throw new Error(`redis-server exited (${c.exitCode ?? c.signalCode}); see ${dir}/redis.log`);
      if (await ping(url)) return performance.now() - t0;
    }
    throw new Error(`redis-server on port ${port} did not answer within 20 s`);
  }

  async function kill(signal: NodeJS.Signals) {
    const c = child;
    if (!c) return;
    // a hung (stopped) server acts on no signal but SIGKILL
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGCONT");
    await stopChild(c, { signal, graceMs: 5000 });
  }

  await launch();
  return {
    port,
    url,
    get running() {
      return !!child && child.exitCode === null && child.signalCode === null;
    },
    kill: () => kill("SIGKILL"),
    restart: () => {
      if (stopped) throw new Error("redis-server stopped");
      return launch();
    },
    hang: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
    async stop() {
      stopped = true;
      await kill("SIGTERM");
    },
  };
}
