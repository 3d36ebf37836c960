import { describe, expect, it } from "vitest";
import { setImmediate as nextTurn } from "node:timers/promises";
import { groupCommit } from "../../../src/queue/ingest/group-commit.js";

type Settled = PromiseSettledResult<string>;
const ok = (value: string): Settled => ({ status: "fulfilled", value });

describe("groupCommit", () => {
  it("flushes what was handed in during one turn together, and answers each with its own outcome", async () => {
    const batches: number[][] = [];
    const add = groupCommit<number, string>(async (items) => {
      batches.push(items);
      return items.map((i): Settled => (i === 2 ? { status: "rejected", reason: new Error("two") } : ok(`r${i}`)));
    }, 10);
    const outcomes = Promise.allSettled([add(1), add(2), add(3)]);
    expect(batches).toEqual([]); // nothing before the end of the turn
    expect(await outcomes).toEqual([ok("r1"), { status: "rejected", reason: new Error("two") }, ok("r3")]);
    expect(batches).toEqual([[1, 2, 3]]);
    // A later turn is a new batch.
    expect(await add(4)).toBe("r4");
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it("splits a turn's items into batches of at most maxSize, flushed without waiting for one another", async () => {
    const batches: number[][] = [];
    const release: Array<() => void> = [];
    const add = groupCommit<number, string>((items) => {
      batches.push(items);
      return new Promise((resolve) => release.push(() => resolve(items.map((i) => ok(`r${i}`)))));
    }, 2);
    const outcomes = Promise.all([1, 2, 3, 4, 5].map(add));
    await nextTurn();
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
    release.forEach((r) => r());
    expect(await outcomes).toEqual(["r1", "r2", "r3", "r4", "r5"]);
  });

  it("does not answer before the flush does", async () => {
    let done = false;
    let release = () => undefined as void;
    const add = groupCommit<number, string>(
      (items) => new Promise((resolve) => (release = () => resolve(items.map(() => ok("x"))))),
      10,
    );
    const pending = add(1).then(() => (done = true));
    await nextTurn();
    await nextTurn();
    expect(done).toBe(false);
    release();
    await pending;
    expect(done).toBe(true);
  });

  it("fails the whole batch when the flush throws, even synchronously, or answers for the wrong number", async () => {
    const boom = groupCommit<number, string>(() => {
      throw new Error("redis away");
    }, 10);
    const a = await Promise.allSettled([boom(1), boom(2)]);
    expect(a.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect((a[0] as PromiseRejectedResult).reason).toEqual(new Error("redis away"));

    const short = groupCommit<number, string>(async () => [ok("only one")], 10);
    const b = await Promise.allSettled([short(1), short(2)]);
    expect(b.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });
});
