/**
 * The Redis deployments bench/scale.ts measures, one entry each in `redisTargets`: every step runs
 * against each target in turn, with the same PostgreSQL. A target says how the service processes
 * reach it (their environment), which ingest queues the workers consume (paused while they start),
 * and how much CPU its redis-server processes have used.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Cluster, Redis } from "ioredis";
import { INGEST_QUEUE } from "../../src/queue/ingest/queue.js";
import { redisKeys } from "../../src/queue/redis-keys.js";
import { startRedisCluster } from "../../test/helpers/redis-cluster.js";
import { startRedisServer } from "../chaos/redis-server.js";
import { freePort } from "../lifecycle.js";
import { redisCpuSeconds } from "./cpu.js";

export interface RedisTarget {
  /** As printed in the table and the JSON line. */
  name: string;
  /** The service processes' Redis settings for a step's key prefix (REDIS_URL, REDIS_PREFIX, ...). */
  env(prefix: string): Record<string, string>;
  /** The ingest queues a step's deliveries wait in; the caller closes them. */
  ingestQueues(prefix: string): Queue[];
  /** CPU seconds (user + system) all of the target's redis-server processes have used so far. */
  cpuSeconds(): number;
  /** Stops what the target started and removes its files. */
  stop(): Promise<void>;
}

/**
 * One private redis-server (AOF, fsync every second, as production runs it) on a free port in a temp
 * directory: its CPU is this bench's alone, whatever else uses the machine's shared Redis.
 */
export async function singleRedis(): Promise<RedisTarget> {
  const dir = mkdtempSync(join(os.tmpdir(), "switchyard-scale-redis-"));
  const server = await startRedisServer(await freePort(), dir).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const connection = new Redis(server.url, { maxRetriesPerRequest: null });
  return {
    name: "redis-server",
    env: (prefix) => ({ REDIS_URL: server.url, REDIS_PREFIX: prefix }),
    ingestQueues: (prefix) => [new Queue(INGEST_QUEUE, { connection, prefix })],
    cpuSeconds: () => redisCpuSeconds([server.port]),
    async stop() {
      connection.disconnect();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A local Redis Cluster (three masters, a replica each, test/helpers/redis-cluster.ts) with the ingest
 * queue split by platform, so the platforms' queues spread over the masters' slots.
 */
export async function redisCluster(): Promise<RedisTarget> {
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  const connection = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
  return {
    name: "redis-cluster",
    env: (prefix) => ({ REDIS_CLUSTER_NODES: cluster.nodesEnv, QUEUE_SPLIT: "platform", REDIS_PREFIX: prefix }),
    ingestQueues(prefix) {
      const keys = redisKeys({ prefix, tagged: true, split: "platform" });
      return keys.ingestQueues.map((name) => new Queue(name, { connection, prefix: keys.queuePrefix(name) }));
    },
    cpuSeconds: () => redisCpuSeconds(cluster.nodes.map((n) => n.port)),
    async stop() {
      connection.disconnect();
      await cluster.stop();
    },
  };
}

/** What the bench runs against, in order (`SCALE_TARGETS=redis-server` runs only the first). */
export const redisTargets: Array<() => Promise<RedisTarget>> =
  process.env.SCALE_TARGETS === "redis-server" ? [singleRedis] : [singleRedis, redisCluster];
