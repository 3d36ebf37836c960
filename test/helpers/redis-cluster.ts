import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { sparePorts } from "./spare-ports.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

/**
 * A throwaway Redis Cluster of `redis-server --cluster-enabled yes` processes on spare loopback
 * ports, in a temporary directory: started by a test (or a bench), stopped and removed by it, and
 * killed at process exit if it forgot. Nothing is shared with the machine's own Redis.
 */

export interface ClusterNode {
  host: string;
  port: number;
}

export interface RedisClusterHandle {
  nodes: ClusterNode[];
  /** `127.0.0.1:p1,127.0.0.1:p2,…` for REDIS_CLUSTER_NODES. */
  nodesEnv: string;
  /** The master serving the key's slot now. */
  masterOf(key: string): Promise<ClusterNode>;
  /** SIGKILL one node (no shutdown, nothing saved): its replica takes over after the node timeout. */
  kill(port: number): Promise<void>;
  /** A coordinated `CLUSTER FAILOVER` on this replica (or the first replica), resolved once it is master. */
  failover(replicaPort?: number): Promise<void>;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `count` free ports from 17000–17999 (the tests' spare range), probed. Each node's cluster bus gets
 * one of them too (`--cluster-port`), rather than Redis's default of its port + 10000.
 */
const clusterPorts = (count: number) => sparePorts(count, 17000, 1000);

/** One command on one node, on a connection of its own that gives up at once if the node is gone. */
async function ask(port: number, ...args: string[]): Promise<unknown> {
  const redis = new Redis(port, HOST, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return await redis.call(args[0]!, ...args.slice(1));
  } finally {
    redis.disconnect();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`redis cluster: ${what} timed out`);
}

/** A row of CLUSTER SLOTS: first and last slot, the master, then its replicas (host, port). */
type SlotRange = [number, number, [string, number], ...Array<[string, number]>];

const stateOk = async (port: number) => String(await ask(port, "CLUSTER", "INFO")).includes("cluster_state:ok");

export async function startRedisCluster(
  o: { masters?: number; replicasPerMaster?: number; nodeTimeoutMs?: number } = {},
): Promise<RedisClusterHandle> {
  const masters = o.masters ?? 3;
  const replicas = o.replicasPerMaster ?? 1;
  const nodeTimeoutMs = o.nodeTimeoutMs ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), "switchyard-cluster-"));
  const count = masters * (1 + replicas);
  const spare = await clusterPorts(2 * count);
  const ports = spare.slice(0, count);
  const busOf = new Map(ports.map((port, i) => [port, spare[count + i]!]));
  const procs = new Map<number, ChildProcess>();
  const killAll = () => {
    for (const p of procs.values()) if (p.exitCode === null) p.kill("SIGKILL");
  };
  const onExit = () => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  const live = () => [...procs].filter(([, p]) => p.exitCode === null && p.signalCode === null).map(([port]) => port);

  async function stop(): Promise<void> {
    process.off("exit", onExit);
    await Promise.all(
      [...procs.values()].map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const exited = once(p, "exit");
        p.kill("SIGKILL");
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  }

  try {
    for (const port of ports) {
      const proc = spawn(
        "redis-server",
        [
          ...["--port", String(port), "--bind", HOST, "--cluster-enabled", "yes"],
          ...["--cluster-port", String(busOf.get(port))],
          ...["--cluster-config-file", join(dir, `nodes-${port}.conf`)],
          ...["--cluster-node-timeout", String(nodeTimeoutMs), "--save", "", "--appendonly", "no", "--dir", dir],
          // Replicas sync at once (diskless, no 5 s wait for more replicas) and show in CLUSTER SLOTS
          // once their offset moves (the master pings them every second, not every 10).
          ...["--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "1"],
        ],
        { stdio: "ignore" },
      );
      procs.set(port, proc);
    }
    for (const port of ports) await until(`node ${port} start`, async () => (await ask(port, "PING")) === "PONG");
    await run("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((p) => `${HOST}:${p}`),
      "--cluster-replicas",
      String(replicas),
      "--cluster-yes",
    ]);
    for (const port of ports) await until(`cluster_state:ok on ${port}`, () => stateOk(port));
    // Every replica known to the cluster and in sync with its master, so a failover can happen.
    await until("replicas", async () => {
      const served = await slots();
      const replicaPorts = served.flatMap(([, , , ...r]) => r.map((n) => Number(n[1])));
      if (replicaPorts.length < served.length * replicas) return false;
      for (const port of replicaPorts) {
        if (!String(await ask(port, "INFO", "replication")).includes("master_link_status:up")) return false;
      }
      return true;
    });
  } catch (err) {
    await stop();
    throw err;
  }

  /** CLUSTER SLOTS from a live node: [start, end, [host, port, id], ...replicas]. */
  async function slots(): Promise<SlotRange[]> {
    for (const port of live()) {
      try {
        return (await ask(port, "CLUSTER", "SLOTS")) as Awaited<ReturnType<typeof slots>>;
      } catch {
        // this node is going away: ask another
      }
    }
    throw new Error("redis cluster: no node answers");
  }

  async function masterOf(key: string): Promise<ClusterNode> {
    const slot = Number(await ask(live()[0]!, "CLUSTER", "KEYSLOT", key));
    const range = (await slots()).find(([start, end]) => slot >= start && slot <= end);
    if (!range) throw new Error(`redis cluster: slot ${slot} unserved`);
    return { host: HOST, port: Number(range[2][1]) };
  }

  async function kill(port: number): Promise<void> {
    const proc = procs.get(port);
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, "exit");
    proc.kill("SIGKILL");
    await exited;
  }

  async function failover(replicaPort?: number): Promise<void> {
    let port = replicaPort;
    if (port === undefined) {
      const replicaOf = (await slots()).flatMap(([, , , ...r]) => r.map((n) => Number(n[1])));
      port = replicaOf.find((p) => live().includes(p));
    }
    if (port === undefined) throw new Error("redis cluster: no replica to fail over to");
    await ask(port, "CLUSTER", "FAILOVER");
    await until(`failover to ${port}`, async () => String(await ask(port, "ROLE")).startsWith("master"));
    // Every node learns of the new master by gossip, some later than others: wait until each serves its
    // slots from it, so that what a test asks next (masterOf, a client's slot map) sees the failover.
    const promoted = async (p: number) =>
      ((await ask(p, "CLUSTER", "SLOTS")) as SlotRange[]).some((range) => Number(range[2][1]) === port);
    for (const p of live()) {
      await until(`cluster_state:ok on ${p}`, () => stateOk(p));
      await until(`${p} sees ${port} as a master`, () => promoted(p));
    }
  }

  const nodes = ports.map((port) => ({ host: HOST, port }));
  return {
    nodes,
    nodesEnv: nodes.map((n) => `${n.host}:${n.port}`).join(","),
    masterOf,
    kill,
    failover,
    stop,
  };
}
