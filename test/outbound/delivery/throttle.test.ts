import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createThrottle } from "../../../src/outbound/delivery/throttle.js";
import { producerConnection, whenReady } from "../../../src/queue/redis.js";
import { deleteRedisPrefix } from "../../../bench/redis-prefix.js";

const prefix = `${inject("redisPrefix")}-throttle-${randomBytes(3).toString("hex")}`;
const redis = producerConnection(inject("redisUrl"));
beforeAll(() => whenReady(redis, 5000));
afterAll(async () => {
  await deleteRedisPrefix(inject("redisUrl"), prefix);
  redis.disconnect();
});
const throttle = createThrottle({ connection: redis, prefix, graceMs: 100 });

describe("a subscription's rate limit in Redis", () => {
  it("lets one message go per interval, and tells the others how long until their slot", async () => {
    // 10 per second: one every 100 ms.
    expect(await throttle.admit("s1", "m1", 10)).toBe(0);
    const second = await throttle.admit("s1", "m2", 10);
    expect(second).toBeGreaterThan(50);
    expect(second).toBeLessThanOrEqual(100);
    // The third waits behind the second: about two intervals.
    expect(await throttle.admit("s1", "m3", 10)).toBeGreaterThan(second + 50);
    // Another subscription has a line of its own.
    expect(await throttle.admit("s2", "m1", 10)).toBe(0);
  });

  it("keeps the order of the messages in line: a later one never overtakes an earlier one", async () => {
    expect(await throttle.admit("s3", "a", 20)).toBe(0);
    expect(await throttle.admit("s3", "c", 20)).toBeGreaterThan(0);
    expect(await throttle.admit("s3", "b", 20)).toBeGreaterThan(0);
    await sleep(60);
    // Its time has come, but b (made before it) is in line first.
    expect(await throttle.admit("s3", "c", 20)).toBeGreaterThan(0);
    expect(await throttle.admit("s3", "b", 20)).toBe(0);
    await sleep(60);
    expect(await throttle.admit("s3", "c", 20)).toBe(0);
  });

  it("a message put aside for another reason keeps its place; one that never comes back is dropped after the grace", async () => {
    await throttle.hold("s4", "a", 50);
    expect(await throttle.admit("s4", "b", 1000)).toBeGreaterThan(0);
    await sleep(200); // a is overdue by more than the grace (50 + 100 ms)
    expect(await throttle.admit("s4", "b", 1000)).toBe(0);
  });
});
