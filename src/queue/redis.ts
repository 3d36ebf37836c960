import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { redisCluster, type Config } from "../shared/config.js";
import { redisKeys, type RedisKeys } from "./redis-keys.js";

/** One Redis, or a Redis Cluster (docs/redis-cluster.md): BullMQ and every script here take either. */
export type RedisConnection = Redis | Cluster;

/** Where Redis is: a URL, or a cluster's seed nodes (shared/config.ts `redisCluster`). */
export type RedisTarget = string | { url: string; cluster: NonNullable<ReturnType<typeof redisCluster>> | null };

type ConfigTarget = Pick<Config, "REDIS_URL" | "REDIS_CLUSTER_NODES">;

export function redisTarget(config: ConfigTarget): RedisTarget {
  return { url: config.REDIS_URL, cluster: redisCluster(config) };
}

/** The key layout of this configuration: hash tags on a cluster or with a queue split. */
export function keysOf(config: ConfigTarget & Pick<Config, "REDIS_PREFIX" | "QUEUE_SPLIT">): RedisKeys {
  return redisKeys({
    prefix: config.REDIS_PREFIX,
    tagged: redisCluster(config) !== null,
    split: config.QUEUE_SPLIT,
  });
}

const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2000);

/** A connection with these options: on one Redis, or on every node of a cluster. */
function connect(target: RedisTarget, options: RedisOptions, cluster: ClusterOptions = {}): RedisConnection {
  if (typeof target === "string") return new Redis(target, options);
  if (!target.cluster) return new Redis(target.url, options);
  const { nodes, username, password } = target.cluster;
  const { enableOfflineQueue, retryStrategy: nodeRetry, ...nodeOptions } = options;
  void nodeRetry; // the cluster reconnects (clusterRetryStrategy), its nodes' connections follow it
  return new Cluster(nodes, {
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    clusterRetryStrategy: retryStrategy,
    redisOptions: { ...nodeOptions, ...(username ? { username } : {}), ...(password ? { password } : {}) },
    ...cluster,
  });
}

/**
 * The producer connection fails fast: with no offline queue a command sent while Redis is down
 * rejects at once, so the receiver can answer 503 instead of holding the sender. On a cluster, a
 * command to a slot whose master is failing over is retried by ioredis until the enqueue's own
 * deadline (ENQUEUE_TIMEOUT_MS) answers 503.
 */
export function producerConnection(target: RedisTarget): RedisConnection {
  return connect(target, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    retryStrategy,
  });
}

/** Workers block on Redis; BullMQ requires `maxRetriesPerRequest: null` for them. */
export function workerConnection(target: RedisTarget): RedisConnection {
  return connect(target, { maxRetriesPerRequest: null });
}

/**
 * A connection for SUBSCRIBE only. On a cluster ioredis subscribes on one node and, when that node
 * goes, on another, subscribing again to what it was subscribed to.
 */
export function subscriberConnection(target: RedisTarget, connectionName: string): RedisConnection {
  return connect(target, { maxRetriesPerRequest: null, autoResubscribe: false, connectionName, retryStrategy });
}

/**
 * Resolves once the connection is ready, or rejects after `ms`. A fail-fast connection rejects
 * commands while it is still connecting, so a fresh process waits here before trusting a failure.
 */
export function whenReady(redis: RedisConnection, ms: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      reject(new Error("redis not ready"));
    }, ms);
    timer.unref();
    function onReady() {
      clearTimeout(timer);
      resolve();
    }
    redis.once("ready", onReady);
  });
}
