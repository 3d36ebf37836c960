import { describe, expect, it } from "vitest";
import { Fifo } from "../../../src/outbound/stream/fifo.js";

describe("stream FIFO", () => {
  it("gives back what was pushed, first in first out, and undefined once empty", () => {
    const q = new Fifo<number>();
    expect(q.peek()).toBeUndefined();
    expect(q.shift()).toBeUndefined();
    q.push(1);
    q.push(2);
    expect(q.size).toBe(2);
    expect(q.peek()).toBe(1);
    expect(q.shift()).toBe(1);
    q.push(3);
    expect([q.shift(), q.shift(), q.shift()]).toEqual([2, 3, undefined]);
    expect(q.size).toBe(0);
  });

  it("keeps its order and size across the compaction of a long run", () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 5000; i++) q.push(i);
    for (let i = 0; i < 3000; i++) expect(q.shift()).toBe(i);
    expect(q.size).toBe(2000);
    q.push(5000);
    const rest: number[] = [];
    while (q.size) rest.push(q.shift()!);
    expect(rest).toEqual(Array.from({ length: 2001 }, (_, i) => 3000 + i));
  });

  it("empties on clear", () => {
    const q = new Fifo<string>();
    q.push("a");
    q.clear();
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
    q.push("b");
    expect(q.shift()).toBe("b");
  });
});
