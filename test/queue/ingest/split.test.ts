import { randomBytes, randomUUID } from "node:crypto";
import { Worker } from "bullmq";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createIngestQueue } from "../../../src/queue/ingest/queue.js";
import { oldestWaitingOf } from "../../../src/queue/ingest/oldest-waiting.js";
import { producerConnection, whenReady, workerConnection } from "../../../src/queue/redis.js";
import { redisKeys } from "../../../src/queue/redis-keys.js";
import type { Delivery, Platform } from "../../../src/shared/event.js";

// QUEUE_SPLIT=platform on one Redis: a queue per platform, no worker, so jobs stay waiting.
const redis = producerConnection(inject("redisUrl"));
const keys = redisKeys({
  prefix: `${inject("redisPrefix")}-split-${randomBytes(3).toString("hex")}`,
  split: "platform",
});
const ingest = createIngestQueue({
  connection: redis,
  prefix: keys.prefix,
  keys,
  attempts: 1,
  backoffMs: 10,
  dedupeTtlSeconds: 60,
  enqueueTimeoutMs: 5000,
});
afterAll(async () => {
  await Promise.all(ingest.queues.map((q) => q.obliterate({ force: true })));
  await Promise.all(ingest.queues.map((q) => q.close()));
  await redis.quit();
});

const delivery = (platform: Platform, deliveryId: string = randomUUID()): Delivery => ({
  id: randomUUID(),
  platform,
  deliveryId,
  receivedAt: new Date().toISOString(),
  contentType: "application/json",
  headers: {},
  body: "{}",
  type: `${platform}.test`,
  priority: "normal",
});

describe("an ingest queue split by platform", () => {
  it("puts each delivery of one turn on its platform's queue, deduplicates and checks replays there", async () => {
    await whenReady(redis, 2000);
    const [gh, dep] = [delivery("github"), delivery("deploy")];
    const added = await Promise.all([ingest.enqueue(gh, { replayKey: "signed-1" }), ingest.enqueue(dep)]);
    expect(added).toEqual([
      { id: gh.id, duplicate: false },
      { id: dep.id, duplicate: false },
    ]);
    const queueOf = (name: string) => ingest.queues.find((q) => q.name === name)!;
    expect(await queueOf("ingest-github").getJob(gh.id)).toBeDefined();
    expect(await queueOf("ingest-deploy").getJob(dep.id)).toBeDefined();
    expect(await queueOf("ingest-github").getJob(dep.id)).toBeUndefined();
    expect((await ingest.getJob(dep.id))?.data.platform).toBe("deploy");
    // The replay key is in the github queue's slot, beside its dedupe keys.
    expect(await redis.get(keys.replayKey("ingest-github", "signed-1"))).toBe(gh.deliveryId);

    // A retry (same delivery id), and a replay (same signed bytes, a new delivery id): duplicates.
    expect(await ingest.enqueue(delivery("github", gh.deliveryId))).toEqual({ id: gh.id, duplicate: true });
    expect(await ingest.enqueue(delivery("github"), { replayKey: "signed-1" })).toEqual({ id: gh.id, duplicate: true });

    // Counts summed over the queues; the oldest wait of any.
    const depth = await ingest.depth();
    expect(depth.prioritized! + depth.waiting!).toBe(2);
    expect(await oldestWaitingOf(ingest.queues, redis)).toBeGreaterThanOrEqual(0);
    expect(await ingest.failed(0, 10)).toEqual({ jobs: [], total: 0 });
  });

  it("pages failed jobs over the queues, one after the other", async () => {
    const blocking = workerConnection(inject("redisUrl"));
    const workers = ingest.queues.map(
      (q) =>
        new Worker(
          q.name,
          () => {
            throw new Error("refused");
          },
          { connection: blocking, prefix: keys.queuePrefix(q.name) },
        ),
    );
    try {
      const deadline = Date.now() + 10_000;
      while ((await ingest.failed(0, 10)).total < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const all = await ingest.failed(0, 10);
      expect(all.total).toBe(2);
      const [first, second] = [await ingest.failed(0, 1), await ingest.failed(1, 1)];
      expect([first.total, second.total]).toEqual([2, 2]);
      expect([...first.jobs, ...second.jobs].map((j) => j.data.platform).sort()).toEqual(["deploy", "github"]);
      expect((await ingest.failed(2, 10)).jobs).toEqual([]);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await blocking.quit();
    }
  });
});
