import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { INGEST_QUEUE } from "../../../src/queue/ingest/queue.js";
import { oldestWaitingSeconds } from "../../../src/queue/ingest/oldest-waiting.js";
import { JOB_PRIORITY } from "../../../src/queue/priority.js";

// A queue of its own with no worker, so jobs stay waiting.
const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
const queue = new Queue(INGEST_QUEUE, {
  connection: redis,
  prefix: `${inject("redisPrefix")}-old-${randomBytes(3).toString("hex")}`,
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.quit();
});

describe("oldest waiting job", () => {
  it("is null with nothing waiting, then the age of the oldest job whatever its priority", async () => {
    expect(await oldestWaitingSeconds(queue, redis)).toBeNull();
    await queue.add("old-low", {}, { priority: JOB_PRIORITY.low, timestamp: Date.now() - 90_000 });
    await queue.add("new-critical", {}, { priority: JOB_PRIORITY.critical, timestamp: Date.now() - 5_000 });
    await queue.add("newer-normal", {}, { priority: JOB_PRIORITY.normal });
    const age = (await oldestWaitingSeconds(queue, redis))!;
    // The low-priority job is the oldest although BullMQ would run the critical one first.
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);
  });
});
