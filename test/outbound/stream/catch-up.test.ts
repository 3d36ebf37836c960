import { describe, expect, it, vi } from "vitest";
import { CatchUp, skipMissing } from "../../../src/outbound/stream/catch-up.js";
import { entryOf, type Entry } from "../../../src/outbound/stream/entry.js";
import type { OutboxItem } from "../../../src/shared/outbound.js";

/** The per-client catch-up machine without I/O: positions in, positions sent out, reads asked for. */

const item = (position: number): OutboxItem => ({
  position: String(position),
  id: `id-${position}`,
  kind: "event",
  type: "deploy.succeeded",
  platform: "deploy",
  repository: "acme/web",
  environment: "production",
  subject: `deploy:generic:${position}`,
  data: {},
  createdAt: new Date(0).toISOString(),
});
const entry = (position: number) => entryOf(item(position));
const items = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => item(from + i));

function machine(after: number) {
  const sent: number[] = [];
  const log = { warn: vi.fn() };
  const place = new CatchUp(BigInt(after), (e: Entry) => sent.push(Number(e.pos)), log);
  return { place, sent, log };
}
const drained = () => true;

describe("stream catch-up", () => {
  it("live: sends the next position, drops what was sent, holds after a hole and leaves live", () => {
    const { place, sent } = machine(3);
    place.goLive();
    expect(place.offer(entry(3))).toBe(false);
    expect(place.offer(entry(4))).toBe(false);
    expect(sent).toEqual([4]);
    expect(place.offer(entry(6))).toBe(true);
    expect(place.isLive).toBe(false);
    expect(place.held.size).toBe(1);
    expect(place.position).toBe(4n);
  });

  it("reads its history, sends the held messages that follow on, then goes live", () => {
    const { place, sent } = machine(0);
    expect(place.offer(entry(5))).toBe(true); // live message held while the history is read
    expect(place.next(null, drained)).toBe(false);
    const reading = place.beginRead();
    expect(reading).toEqual({ after: 0n, known: 4n });
    place.endRead(reading, items(1, 4), 10);
    expect(sent).toEqual([1, 2, 3, 4]);
    expect(place.next(5n, drained)).toBe(true);
    expect(sent).toEqual([1, 2, 3, 4, 5]);
    expect(place.isLive).toBe(true);
  });

  it("reads page after page until a short one, never sending a position twice", () => {
    const { place, sent } = machine(0);
    expect(place.next(null, drained)).toBe(false);
    place.endRead(place.beginRead(), items(1, 2), 2);
    expect(place.next(null, drained)).toBe(false); // a full page: there may be more
    place.endRead(place.beginRead(), items(2, 3), 2); // 2 again (a repeat): dropped
    expect(place.next(null, drained)).toBe(false);
    place.endRead(place.beginRead(), [], 2);
    expect(place.next(null, drained)).toBe(true);
    expect(sent).toEqual([1, 2, 3]);
  });

  it("reads on while the hub is ahead, and waits for the socket to drain", () => {
    const { place } = machine(3);
    place.endRead(place.beginRead(), [], 10);
    expect(place.next(5n, drained)).toBe(false); // the hub started at 5
    expect(place.beginRead()).toEqual({ after: 3n, known: 5n });
    place.endRead(place.beginRead(), items(4, 5), 10);
    expect(place.next(5n, () => false)).toBe(false);
    expect(place.next(5n, drained)).toBe(true);
  });

  it("skips positions known published but missing from the database, once, with a warning", () => {
    const { place, sent, log } = machine(1);
    place.offer(entry(4));
    expect(place.next(null, drained)).toBe(false);
    place.endRead(place.beginRead(), [], 10); // 2 and 3: published, not in the table
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]).toEqual([{ from: "2", to: "3" }, "live stream: positions missing"]);
    expect(place.next(null, drained)).toBe(true);
    expect(sent).toEqual([4]);
  });

  it("forgets what it held on clear", () => {
    const { place } = machine(0);
    place.offer(entry(3));
    place.clear();
    expect(place.held.size).toBe(0);
  });
});

describe("skipMissing", () => {
  const log = { warn: vi.fn() };
  it("skips only when a read found nothing short of a known position", () => {
    expect(skipMissing(log, 3n, 5n, 1)).toBeNull();
    expect(skipMissing(log, 3n, null, 0)).toBeNull();
    expect(skipMissing(log, 5n, 5n, 0)).toBeNull();
    expect(log.warn).not.toHaveBeenCalled();
    expect(skipMissing(log, 3n, 5n, 0)).toBe(5n);
    expect(log.warn).toHaveBeenCalledWith({ from: "4", to: "5" }, "live stream: positions missing");
  });
});
