import type { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OutboxItem } from "../../../src/shared/outbound.js";
import { createHub, type Hub, type HubOptions } from "../../../src/outbound/stream/hub.js";
import { createLogger } from "../../../src/shared/log.js";
import { sseParser, type SseEvent } from "../../helpers/sse.js";

/** The hub's byte bound on what one client holds (the message count bound is in stream-hub.test.ts). */

const log = createLogger("silent");
const PAD = "x".repeat(1000);

/** Rows 1..n of about 1 KB each, as the outbox table holds them. */
function outbox() {
  const rows: OutboxItem[] = [];
  return {
    rows,
    add(n: number): OutboxItem[] {
      return Array.from({ length: n }, () => {
        const position = String(rows.length + 1);
        const item: OutboxItem = {
          position,
          id: `id-${position}`,
          kind: "event",
          type: "deploy.succeeded",
          platform: "deploy",
          repository: "acme/web",
          environment: "production",
          subject: `deploy:generic:${position}`,
          data: { pad: PAD },
          createdAt: new Date(0).toISOString(),
        };
        rows.push(item);
        return item;
      });
    },
    source: {
      read: async (after: bigint, limit: number) => rows.filter((r) => BigInt(r.position) > after).slice(0, limit),
      last: async () => BigInt(rows.length),
      positionOf: async (id: string) => {
        const r = rows.find((x) => x.id === id);
        return r ? BigInt(r.position) : null;
      },
    },
  };
}

const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

function hubOn(o: ReturnType<typeof outbox>, options: Partial<HubOptions>) {
  const hub = createHub({ source: o.source, log, heartbeatMs: 60_000, retryMs: 10, ...options });
  hubs.push(hub);
  return hub;
}

function read(stream: Readable | null) {
  const got = { messages: [] as SseEvent[], ended: false };
  const parser = sseParser({ message: (m) => got.messages.push(m) });
  stream!.setEncoding("utf8");
  stream!.on("data", (chunk: string) => parser.push(chunk));
  stream!.on("end", () => (got.ended = true));
  return got;
}

const ids = (got: { messages: SseEvent[] }) => got.messages.map((m) => m.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `id-${from + i}`);
const all = () => true;

describe("the stream hub's byte bound", () => {
  it("ends the stream of a client not reading once its frames pass the bound, well under the count", async () => {
    const o = outbox();
    const hub = hubOn(o, { maxBuffered: 10_000, maxBufferedBytes: 64 * 1024, closeGraceMs: 50 });
    hub.receive(o.add(1));
    const slow = (await hub.open({ after: null, matches: all }))!; // never read
    const fast = read(await hub.open({ after: null, matches: all }));
    let ended = false;
    const closed = new Promise((r) => slow.once("close", r)).then(() => (ended = true));
    await new Promise((r) => setImmediate(r)); // the fast one is reading
    hub.receive(o.add(40)); // about 40 KB: under the bound
    await new Promise((r) => setTimeout(r, 100));
    expect(ended).toBe(false);
    expect(hub.clients).toBe(2);
    hub.receive(o.add(60)); // about 100 KB in all
    await closed;
    expect(hub.clients).toBe(1);
    await vi.waitFor(() => expect(ids(fast)).toEqual(range(2, 101)));
  });

  it("reads a history larger than the bound at the client's pace, without ending it", async () => {
    const o = outbox();
    o.add(300);
    const hub = hubOn(o, { pageSize: 100, maxBufferedBytes: 64 * 1024 }); // a page is about 100 KB
    hub.receive([o.rows[299]!]);
    const c = read(await hub.open({ after: 0n, matches: all }));
    await vi.waitFor(() => expect(c.messages.length).toBe(300));
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(c.messages.length).toBe(301));
    expect(ids(c)).toEqual(range(1, 301));
    expect(c.ended).toBe(false);
  });

  it("goes live after a history only once the socket has taken most of it", async () => {
    const o = outbox();
    o.add(100);
    const hub = hubOn(o, { pageSize: 500, maxBufferedBytes: 64 * 1024, closeGraceMs: 50 });
    hub.receive([o.rows[99]!]);
    const stream = (await hub.open({ after: 0n, matches: all }))!;
    await new Promise((r) => setTimeout(r, 50)); // the history (about 100 KB) read, not taken
    hub.receive(o.add(1)); // held while the history waits: no end for a client that has not fallen behind live
    await new Promise((r) => setTimeout(r, 100));
    expect(hub.clients).toBe(1);
    const c = read(stream);
    await vi.waitFor(() => expect(c.messages.length).toBe(101));
    expect(ids(c)).toEqual(range(1, 101));
    expect(c.ended).toBe(false);
  });
});
