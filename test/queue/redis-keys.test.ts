import { Redis } from "ioredis";
import { describe, expect, inject, it } from "vitest";
import { createIngestQueue } from "../../src/queue/ingest/queue.js";
import { keysOf } from "../../src/queue/redis.js";
import { isIngestQueue, redisKeys } from "../../src/queue/redis-keys.js";
import { loadConfig, redisCluster } from "../../src/shared/config.js";
import { PLATFORMS } from "../../src/shared/event.js";

/**
 * What a Redis Cluster hashes to find a key's slot (the cluster specification's hash tags): the
 * part between the first `{` and the next `}` when not empty, otherwise the whole key. Keys
 * hashing the same string share a slot.
 */
function hashed(key: string): string {
  const open = key.indexOf("{");
  const close = open < 0 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe("Redis keys on one Redis without a split", () => {
  const keys = keysOf(loadConfig({ REDIS_PREFIX: "switchyard" }));

  it("are the names of every earlier release, so an upgrade finds its waiting jobs", () => {
    expect(keys.tagged).toBe(false);
    expect(keys.ingestQueues).toEqual(["ingest"]);
    expect(keys.ingestQueueOf("github")).toBe("ingest");
    expect(keys.queuePrefix("ingest")).toBe("switchyard");
    expect(keys.queuePrefix("outbound")).toBe("switchyard");
    expect(keys.replayKey("ingest", "abc")).toBe("switchyard:ingest:replay:abc");
    expect(keys.outboundClaim("m1.2")).toBe("switchyard:outbound-claim:m1.2");
    expect(keys.outboundRate("s1")).toEqual([
      "switchyard:outbound-rate:s1:tat",
      "switchyard:outbound-rate:s1:line",
      "switchyard:outbound-rate:s1:due",
    ]);
    expect(keys.outboxChannel).toBe("switchyard:outbox");
  });

  it("give BullMQ the prefix it had: `<prefix>:ingest:<suffix>`", async () => {
    const connection = new Redis(inject("redisUrl"), { lazyConnect: true });
    const { queue } = createIngestQueue({
      connection, // nothing is sent: only the key names are read
      prefix: "switchyard",
      keys,
      attempts: 1,
      backoffMs: 1,
      dedupeTtlSeconds: 1,
      enqueueTimeoutMs: 1,
    });
    expect(queue.keys.wait).toBe("switchyard:ingest:wait");
    expect(queue.keys.de).toBe("switchyard:ingest:de");
    await queue.close();
    connection.disconnect();
  });
});

describe("Redis keys on a cluster", () => {
  const keys = keysOf(loadConfig({ REDIS_PREFIX: "sy", REDIS_CLUSTER_NODES: "127.0.0.1:7000" }));
  const split = redisKeys({ prefix: "sy", split: "platform" });

  it("give a queue's keys and those scripted with them one slot", () => {
    expect(keys.tagged).toBe(true);
    const prefix = keys.queuePrefix("ingest");
    expect(prefix).toBe("sy:{ingest}");
    // BullMQ's keys, the dedupe keys the replay check writes, and the replay keys.
    const slot = hashed(`${prefix}:ingest:wait`);
    for (const k of [`${prefix}:ingest:de:github:1`, `${prefix}:ingest:42`, keys.replayKey("ingest", "x")])
      expect(hashed(k)).toBe(slot);
    // Claims are claimed many at a time: all in the outbound queue's slot.
    expect(hashed(keys.outboundClaim("a.1"))).toBe(hashed(`${keys.queuePrefix("outbound")}:outbound:wait`));
    expect(hashed(keys.outboundClaim("b.2"))).toBe(hashed(keys.outboundClaim("a.1")));
    // A subscription's three rate keys together; subscriptions apart.
    expect(new Set(keys.outboundRate("s1").map(hashed))).toEqual(new Set(["s1"]));
    expect(hashed(keys.outboundRate("s2")[0])).not.toBe("s1");
  });

  it("split by platform: a queue each, a tag each, the replay keys in their queue's slot", () => {
    expect(split.tagged).toBe(true);
    expect(split.ingestQueues).toEqual(PLATFORMS.map((p) => `ingest-${p}`));
    expect(split.ingestQueueOf("deploy")).toBe("ingest-deploy");
    expect(new Set(split.ingestQueues.map((q) => hashed(`${split.queuePrefix(q)}:${q}:wait`))).size).toBe(
      PLATFORMS.length,
    );
    expect(hashed(split.replayKey("ingest-github", "x"))).toBe("ingest-github");
    expect(split.ingestQueues.every(isIngestQueue)).toBe(true);
    expect(isIngestQueue("outbound")).toBe(false);
  });
});

describe("the cluster's configuration", () => {
  it("reads REDIS_CLUSTER_NODES, or a redis+cluster:// REDIS_URL with its credentials", () => {
    expect(redisCluster(loadConfig({}))).toBeNull();
    expect(redisCluster(loadConfig({ REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis-b:7001" }))).toEqual({
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "redis-b", port: 7001 },
      ],
    });
    expect(redisCluster(loadConfig({ REDIS_URL: "redis+cluster://app:s%40cret@a:7000,[::1]:7001" }))).toEqual({
      nodes: [
        { host: "a", port: 7000 },
        { host: "::1", port: 7001 },
      ],
      username: "app",
      password: "s@cret",
    });
    expect(redisCluster(loadConfig({ REDIS_URL: "redis://:pw@x:6379", REDIS_CLUSTER_NODES: "a:1" }))?.password).toBe(
      "pw",
    );
  });

  it("refuses a malformed node list or URL, and a prefix with a hash tag, without echoing secrets", () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: "a:1,b" })).toThrow(/REDIS_CLUSTER_NODES: must be host:port/);
    expect(() => loadConfig({ REDIS_URL: "redis+cluster://user:hunter2@" })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_URL: "redis+cluster://user:hunter2@" })).not.toThrow(/hunter2/);
    expect(() => loadConfig({ QUEUE_SPLIT: "tenant" })).toThrow(/QUEUE_SPLIT/);
    expect(() => loadConfig({ REDIS_PREFIX: "{sy}", QUEUE_SPLIT: "platform" })).toThrow(/REDIS_PREFIX/);
    expect(loadConfig({ REDIS_PREFIX: "{sy}" }).REDIS_PREFIX).toBe("{sy}");
  });
});
