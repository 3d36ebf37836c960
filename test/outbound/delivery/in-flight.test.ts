import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createInFlight, hostOf, type Admission } from "../../../src/outbound/delivery/in-flight.js";

const sub = (subscription: string, host: string | null = "hooks.example.com") => ({ subscription, host });
const released = (a: Admission) => {
  if (!a.ok) throw new Error(`deferred ${a.deferMs} ms`);
  return a.release;
};

describe("sends in flight per subscription and host", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("grants up to the subscription's limit, then waits for a slot of a moving subscription", async () => {
    const f = createInFlight({ perSubscription: 2, perHost: 10 });
    const a = released(await f.acquire(sub("a")));
    released(await f.acquire(sub("a")));
    let third: Admission | undefined;
    void f.acquire(sub("a")).then((x) => (third = x));
    await vi.advanceTimersByTimeAsync(10);
    expect(third).toBeUndefined();
    expect(f.snapshot()["subscription:a"]).toEqual({ inFlight: 2, waiting: 1 });
    // Another subscription on the same host is not held up.
    expect((await f.acquire(sub("b"))).ok).toBe(true);
    a();
    await vi.advanceTimersByTimeAsync(0);
    expect(third?.ok).toBe(true);
    expect(f.snapshot()["subscription:a"]).toEqual({ inFlight: 2, waiting: 0 });
  });

  it("caps one host across subscriptions; subscriptions without a host count only against themselves", async () => {
    const f = createInFlight({ perSubscription: 10, perHost: 3 });
    for (const s of ["a", "b", "c"]) released(await f.acquire(sub(s)));
    let waiting: Admission | undefined;
    void f.acquire(sub("d")).then((x) => (waiting = x));
    expect((await f.acquire(sub("e", "other.example.com"))).ok).toBe(true);
    expect((await f.acquire(sub("d", null))).ok).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(waiting).toBeUndefined();
    expect(f.snapshot()["host:hooks.example.com"]).toEqual({ inFlight: 3, waiting: 1 });
  });

  it("puts a job aside at once when its subscription's sends hang, spreading the returns", async () => {
    const f = createInFlight({ perSubscription: 2, perHost: 100, maxDeferMs: 30_000 });
    const hung = [released(await f.acquire(sub("slow"))), released(await f.acquire(sub("slow")))];
    // The sends have been going 2 s: the subscription is slow, nothing waits for it.
    await vi.advanceTimersByTimeAsync(2000);
    const defers: number[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await f.acquire(sub("slow"));
      expect(a.ok).toBe(false);
      if (!a.ok) defers.push(a.deferMs);
    }
    // One slot's worth of the send time (2 s / 2) apart.
    expect(defers).toEqual([1000, 2000, 3000, 4000]);
    expect(f.snapshot()["subscription:slow"]).toEqual({ inFlight: 2, waiting: 0 });
    // Healthy subscriptions beside it are granted at once.
    for (let i = 0; i < 5; i++) released(await f.acquire(sub(`ok-${i}`)))();
    // When one hung send ends, the next job gets its slot.
    hung[0]!();
    expect((await f.acquire(sub("slow"))).ok).toBe(true);
  });

  it("bounds how long a job waits, and how long it is put aside", async () => {
    const f = createInFlight({ perSubscription: 1, perHost: 100, maxWaitMs: 1000, maxDeferMs: 5000 });
    released(await f.acquire(sub("a")));
    let waited: Admission | undefined;
    void f.acquire(sub("a")).then((x) => (waited = x));
    // The send it waits for turns slow (past 250 ms): the waiter is put aside at its next check.
    await vi.advanceTimersByTimeAsync(400);
    expect(waited).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    expect(waited?.ok).toBe(false);
    expect(f.snapshot()["subscription:a"]!.waiting).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    const far = await f.acquire(sub("a"));
    expect(far).toEqual({ ok: false, deferMs: 5000 });
  });

  it("releases once, and forgets idle keys", async () => {
    const f = createInFlight({ perSubscription: 1, perHost: 1 });
    const release = released(await f.acquire(sub("a")));
    release();
    release();
    expect(f.snapshot()).toEqual({});
    released(await f.acquire(sub("a")));
    expect(f.snapshot()["subscription:a"]).toEqual({ inFlight: 1, waiting: 0 });
  });

  it("reads the host name of a URL", () => {
    expect(hostOf("https://Hooks.Example.com:8443/x?y")).toBe("hooks.example.com");
    expect(hostOf("http://127.0.0.1:3000/hook")).toBe("127.0.0.1");
    expect(hostOf("not a url")).toBeNull();
    expect(hostOf(null)).toBeNull();
  });
});

describe("a subscription's own maxInFlight", () => {
  it("replaces the default limit for that subscription only, and follows a change", async () => {
    const f = createInFlight({ perSubscription: 5, perHost: 100, slowMs: 0 });
    const own = { ...sub("a"), subscriptionLimit: 1 };
    const first = released(await f.acquire(own));
    expect((await f.acquire(own)).ok).toBe(false);
    expect((await f.acquire(sub("b"))).ok).toBe(true);
    expect((await f.acquire({ ...own, subscriptionLimit: 2 })).ok).toBe(true);
    first();
  });
});
