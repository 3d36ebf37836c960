import { PLATFORMS, type Platform } from "../shared/event.js";
import { outboxChannel } from "../shared/outbound.js";

/**
 * Every Redis key and prefix of the service, built here (docs/redis-cluster.md "Key layout").
 *
 * On one Redis without a queue split the names are those of every earlier release, so an upgrade
 * finds its waiting jobs. On a Redis Cluster (or with QUEUE_SPLIT=platform) they carry hash tags:
 * BullMQ runs one Lua script over many keys of a queue, and so do the replay check, the outbound
 * claims and the rate limiter, and a cluster runs a script only when all its keys hash to one slot.
 * A queue's keys, and the keys scripted with them, share the queue's tag `{<queue>}`: one queue,
 * one slot, one shard; a subscription's rate-limit keys share `{<subscription id>}`.
 */

export const INGEST_QUEUE = "ingest";
export const OUTBOUND_QUEUE = "outbound";

/** `none`: one ingest queue. `platform`: one ingest queue per platform (a slot each on a cluster). */
export const QUEUE_SPLITS = ["none", "platform"] as const;
export type QueueSplit = (typeof QUEUE_SPLITS)[number];

export interface KeyLayoutOptions {
  /** REDIS_PREFIX */
  prefix: string;
  /** Hash tags in every key: on a cluster, or whenever the ingest queue is split. */
  tagged?: boolean;
  split?: QueueSplit;
}

export interface RedisKeys {
  readonly prefix: string;
  readonly tagged: boolean;
  /** BullMQ's `prefix` of a queue: its keys are `<queuePrefix>:<queue>:<suffix>`. */
  queuePrefix(queue: string): string;
  /** The ingest queues' names: `ingest`, or `ingest-<platform>` for each platform when split. */
  readonly ingestQueues: readonly string[];
  /** The ingest queue a platform's deliveries go to. */
  ingestQueueOf(platform: Platform): string;
  /** A replay key (the signed bytes' digest) in its ingest queue's slot, beside BullMQ's dedupe keys. */
  replayKey(ingestQueue: string, key: string): string;
  /** The claim on one outbound attempt (`<id>.<attempt>`): claims are scripted together, in the outbound queue's slot. */
  outboundClaim(attempt: string): string;
  /** A subscription's rate-limit keys: `tat`, `line`, `due`, scripted together. */
  outboundRate(subscriptionId: string): [string, string, string];
  /** The live streams' channel (pub/sub reaches every node of a cluster: no slot). */
  readonly outboxChannel: string;
}

export const isIngestQueue = (name: string) => name === INGEST_QUEUE || name.startsWith(`${INGEST_QUEUE}-`);

export function redisKeys(o: KeyLayoutOptions): RedisKeys {
  const { prefix } = o;
  const split = o.split ?? "none";
  const tagged = (o.tagged ?? false) || split !== "none";
  const queuePrefix = (queue: string) => (tagged ? `${prefix}:{${queue}}` : prefix);
  const ingestQueueOf = (platform: Platform) => (split === "platform" ? `${INGEST_QUEUE}-${platform}` : INGEST_QUEUE);
  const rate = (id: string) => `${prefix}:outbound-rate:${tagged ? `{${id}}` : id}`;
  return {
    prefix,
    tagged,
    queuePrefix,
    ingestQueues: split === "platform" ? PLATFORMS.map(ingestQueueOf) : [INGEST_QUEUE],
    ingestQueueOf,
    replayKey: (queue, key) => `${queuePrefix(queue)}:${queue}:replay:${key}`,
    outboundClaim: (attempt) => `${queuePrefix(OUTBOUND_QUEUE)}:outbound-claim:${attempt}`,
    outboundRate: (id) => [`${rate(id)}:tat`, `${rate(id)}:line`, `${rate(id)}:due`],
    outboxChannel: outboxChannel(prefix),
  };
}
