import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBatcher } from "../../src/pipeline/batcher.js";

type Settled = PromiseSettledResult<string>;
const ok = (value: string): Settled => ({ status: "fulfilled", value });

/** A flush the test completes by hand, recording every batch and how many run at once. */
function controlledFlush() {
  const batches: number[][] = [];
  const pending: Array<{ items: number[]; resolve: (r: Settled[]) => void; reject: (e: unknown) => void }> = [];
  let running = 0;
  let maxRunning = 0;
  const flush = (items: number[]) => {
    batches.push([...items]);
    running++;
    maxRunning = Math.max(maxRunning, running);
    return new Promise<Settled[]>((resolve, reject) => {
      const done =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          running--;
          f(v);
        };
      pending.push({ items, resolve: done(resolve), reject: done(reject) });
    });
  };
  /** Completes the oldest pending flush, each item's result being `r<item>`. */
  const complete = () => {
    const p = pending.shift();
    if (!p) throw new Error("no flush pending");
    p.resolve(p.items.map((i) => ok(`r${i}`)));
  };
  return { flush, batches, pending, complete, maxRunning: () => maxRunning };
}

const settle = async <T>(ps: Array<Promise<T>>) => Promise.allSettled(ps);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createBatcher", () => {
  it("flushes as soon as maxSize items wait, without lingering", async () => {
    const c = controlledFlush();
    const add = createBatcher(c.flush, { maxSize: 3, lingerMs: 10_000 });
    const results = [add(1), add(2), add(3)];
    await vi.advanceTimersByTimeAsync(0);
    expect(c.batches).toEqual([[1, 2, 3]]);
    c.complete();
    expect(await Promise.all(results)).toEqual(["r1", "r2", "r3"]);
  });

  it("lets the first item of an idle batcher linger for company", async () => {
    const c = controlledFlush();
    const add = createBatcher(c.flush, { maxSize: 10, lingerMs: 50 });
    const a = add(1);
    await vi.advanceTimersByTimeAsync(30);
    const b = add(2);
    await vi.advanceTimersByTimeAsync(19);
    expect(c.batches).toEqual([]);
    // The linger counts from the first item, not the last.
    await vi.advanceTimersByTimeAsync(1);
    expect(c.batches).toEqual([[1, 2]]);
    c.complete();
    expect(await Promise.all([a, b])).toEqual(["r1", "r2"]);
  });

  it("items arriving during a flush form the next batch, flushed right after", async () => {
    const c = controlledFlush();
    const add = createBatcher(c.flush, { maxSize: 10, lingerMs: 50 });
    const first = add(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(c.batches).toEqual([[1]]);
    const later = [add(2), add(3)];
    // However long the flush takes, nothing else is flushed meanwhile.
    await vi.advanceTimersByTimeAsync(500);
    expect(c.batches).toEqual([[1]]);
    c.complete();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.batches).toEqual([[1], [2, 3]]);
    c.complete();
    expect(await first).toBe("r1");
    expect(await Promise.all(later)).toEqual(["r2", "r3"]);
  });

  it("runs one flush at a time, in batches of at most maxSize, every item once in order", async () => {
    const c = controlledFlush();
    const add = createBatcher(c.flush, { maxSize: 2, lingerMs: 5 });
    const results = [1, 2, 3, 4, 5].map((i) => add(i));
    await vi.advanceTimersByTimeAsync(0);
    while (c.pending.length) {
      expect(c.pending).toHaveLength(1);
      c.complete();
      await vi.advanceTimersByTimeAsync(5);
    }
    expect(c.maxRunning()).toBe(1);
    expect(c.batches.every((b) => b.length <= 2)).toBe(true);
    expect(c.batches.flat()).toEqual([1, 2, 3, 4, 5]);
    expect(await Promise.all(results)).toEqual(["r1", "r2", "r3", "r4", "r5"]);
  });

  it("lingers again once idle after a flush", async () => {
    const c = controlledFlush();
    const add = createBatcher(c.flush, { maxSize: 10, lingerMs: 20 });
    const a = add(1);
    await vi.advanceTimersByTimeAsync(20);
    c.complete();
    await a;
    const b = add(2);
    await vi.advanceTimersByTimeAsync(19);
    expect(c.batches).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.batches).toEqual([[1], [2]]);
    c.complete();
    expect(await b).toBe("r2");
  });

  it("gives each caller its own item's outcome: a rejected item fails alone", async () => {
    const add = createBatcher<string, string>(
      async (items) =>
        items.map((i): Settled =>
          i === "bad" ? { status: "rejected", reason: new Error(`no ${i}`) } : ok(i.toUpperCase()),
        ),
      { maxSize: 3, lingerMs: 10 },
    );
    const results = settle([add("a"), add("bad"), add("c")]);
    await vi.advanceTimersByTimeAsync(0);
    const [a, bad, c] = await results;
    expect(a).toEqual({ status: "fulfilled", value: "A" });
    expect(bad).toMatchObject({ status: "rejected", reason: new Error("no bad") });
    expect(c).toEqual({ status: "fulfilled", value: "C" });
  });

  it("a thrown flush rejects every item of its batch, and only of its batch", async () => {
    let calls = 0;
    let releaseFirst!: () => void;
    const boom = new Error("transaction failed");
    const add = createBatcher<number, string>(
      async (items) => {
        if (++calls === 1) {
          await new Promise<void>((r) => (releaseFirst = r));
          throw boom;
        }
        return items.map((i) => ok(`r${i}`));
      },
      { maxSize: 2, lingerMs: 10 },
    );
    const first = settle([add(1), add(2)]);
    await vi.advanceTimersByTimeAsync(0);
    // Arrives during the failing flush: the next batch.
    const second = settle([add(3)]);
    releaseFirst();
    await vi.advanceTimersByTimeAsync(10);
    expect(await first).toEqual([
      { status: "rejected", reason: boom },
      { status: "rejected", reason: boom },
    ]);
    expect(await second).toEqual([{ status: "fulfilled", value: "r3" }]);
    expect(calls).toBe(2);
    // And the batcher keeps working after a failure.
    const third = add(4);
    await vi.advanceTimersByTimeAsync(10);
    expect(await third).toBe("r4");
  });
});
