/**
 * CPU seconds by engine for bench/scale.ts, from Linux /proc (utime + stime, as lifecycle.ts's
 * cpuSeconds): the step's service processes, PostgreSQL, redis-server and the bench itself.
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpuSeconds } from "../lifecycle.js";

const read = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return ""; // the process exited meanwhile
  }
};

/**
 * PostgreSQL's processes with the CPU each has used so far: the backends of `database` ("postgres:
 * 15/main: user db host(port) state"), and apart from them the shared processes that work for every
 * database (postmaster, WAL writer, checkpointer, background writer, autovacuum): on a shared server,
 * their figure includes other databases' work. Backends of other databases are left out.
 */
function postgresProcesses(database: string): Map<number, { cpu: number; shared: boolean }> {
  const found = new Map<number, { cpu: number; shared: boolean }>();
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || read(`/proc/${pid}/comm`).trim() !== "postgres") continue;
    const cmd = read(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
    const backend = /\(\d+\)|\[local\]/.test(cmd);
    if (backend && !cmd.includes(` ${database} `)) continue;
    const cpu = cpuSeconds(Number(pid));
    if (!Number.isNaN(cpu)) found.set(Number(pid), { cpu, shared: !backend });
  }
  return found;
}

/**
 * CPU seconds the redis-server processes serving `ports` on loopback have used so far: a server's
 * process title names its address ("redis-server 127.0.0.1:6379", "… [cluster]"), so the servers of a
 * cluster are found by their ports alone.
 */
export function redisCpuSeconds(ports: number[]): number {
  const wanted = new Set(ports.map((port) => `127.0.0.1:${port}`));
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || read(`/proc/${pid}/comm`).trim() !== "redis-server") continue;
    const address = read(`/proc/${pid}/cmdline`).replaceAll("\0", " ").split(" ")[1] ?? "";
    if (wanted.has(address)) total += cpuSeconds(Number(pid)) || 0;
  }
  return total;
}

export interface Cpu {
  node: number;
  /** The bench database's backends. */
  postgres: number;
  /** PostgreSQL's shared processes (WAL writer, checkpointer, ...), for all databases of the server. */
  pgShared: number;
  redis: number;
  /** The bench process itself: the load generator in receive steps. */
  bench: number;
}

const benchSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/**
 * Measures a step from start() to stop(). PostgreSQL is sampled every 100 ms: the service's pools renew
 * their connections every 15 s, and an exited backend's CPU can no longer be read, so each backend
 * counts up to its last sample (its last 100 ms at most are lost); one born within the step counts in full.
 */
export class CpuMeter {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, { cpu: number; shared: boolean }>();
  private start0: Omit<Cpu, "postgres" | "pgShared"> = { node: 0, redis: 0, bench: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: number[],
    private readonly database: string,
    private readonly redisSeconds: () => number,
  ) {}

  private others(): Omit<Cpu, "postgres" | "pgShared"> {
    return {
      node: this.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
      redis: this.redisSeconds(),
      bench: benchSeconds(),
    };
  }

  /** At start(), every process's CPU so far is the base; a process found later started from 0. */
  private sample(first = false) {
    for (const [pid, p] of postgresProcesses(this.database)) {
      if (!this.base.has(pid)) this.base.set(pid, first ? p.cpu : 0);
      this.last.set(pid, p);
    }
  }

  start(): void {
    this.sample(true);
    this.start0 = this.others();
    this.timer = setInterval(() => this.sample(), 100).unref();
  }

  /** CPU seconds used since start(), by engine. */
  stop(): Cpu {
    clearInterval(this.timer);
    this.sample();
    const end = this.others();
    let postgres = 0;
    let pgShared = 0;
    for (const [pid, p] of this.last) {
      if (p.shared) pgShared += p.cpu - this.base.get(pid)!;
      else postgres += p.cpu - this.base.get(pid)!;
    }
    return {
      node: end.node - this.start0.node,
      postgres,
      pgShared,
      redis: end.redis - this.start0.redis,
      bench: end.bench - this.start0.bench,
    };
  }
}

/** CPU seconds per 1,000 events, by engine. */
export function perThousand(used: Cpu, events: number): Cpu {
  const per = (s: number) => (s * 1000) / Math.max(1, events);
  return {
    node: per(used.node),
    postgres: per(used.postgres),
    pgShared: per(used.pgShared),
    redis: per(used.redis),
    bench: per(used.bench),
  };
}
