import type { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OutboxItem } from "../../src/shared/outbound.js";
import { createHub, type Hub, type HubOptions } from "../../src/outbound/stream/hub.js";
import { createLogger } from "../../src/shared/log.js";
import { sseParser, type SseEvent } from "../helpers/sse.js";

const log = createLogger("silent");

/** The outbox table as the hub reads it: rows 1..n; reads can be held back or made to fail. */
function fakeOutbox() {
  const rows: OutboxItem[] = [];
  let numbered = 0;
  const o = {
    rows,
    reads: 0,
    failing: 0,
    gate: null as Promise<void> | null,
    /** Rows committed by the relay (not published). */
    add(n: number, type = "deploy.succeeded"): OutboxItem[] {
      const added = Array.from({ length: n }, () => {
        const position = String(++numbered);
        const item: OutboxItem = {
          position,
          id: `id-${position}`,
          kind: "event",
          type,
          platform: "deploy",
          repository: "acme/web",
          environment: "production",
          subject: `deploy:generic:${position}`,
          data: { n: Number(position) },
          createdAt: new Date(0).toISOString(),
        };
        rows.push(item);
        return item;
      });
      return added;
    },
    source: {
      /** What was committed when the read began (a query's snapshot), answered once the gate opens. */
      async read(after: bigint, limit: number) {
        o.reads++;
        const failed = o.failing > 0 && o.failing--;
        const page = rows.filter((r) => BigInt(r.position) > after).slice(0, limit);
        await o.gate;
        if (failed) throw new Error("database away");
        return page;
      },
      last: async () => BigInt(numbered),
      positionOf: async (id: string) => {
        const r = rows.find((x) => x.id === id);
        return r ? BigInt(r.position) : null;
      },
    },
  };
  return o;
}

const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

function hubOn(o: ReturnType<typeof fakeOutbox>, options: Partial<HubOptions> = {}) {
  const hub = createHub({ source: o.source, log, heartbeatMs: 60_000, retryMs: 10, ...options });
  hubs.push(hub);
  return hub;
}

function read(stream: Readable | null) {
  const got = { messages: [] as SseEvent[], comments: [] as string[], ended: false };
  const parser = sseParser({ message: (m) => got.messages.push(m), comment: (c) => got.comments.push(c) });
  stream!.setEncoding("utf8");
  stream!.on("data", (chunk: string) => parser.push(chunk));
  stream!.on("end", () => (got.ended = true));
  return got;
}

const ids = (got: { messages: SseEvent[] }) => got.messages.map((m) => m.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `id-${from + i}`);
const all = () => true;

describe("stream hub", () => {
  it("hands published messages to every client in order, with id, event and data", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1)); // where the relay is
    await vi.waitFor(() => expect(o.reads).toBe(0));
    const a = read(await hub.open({ after: null, matches: all }));
    const b = read(await hub.open({ after: null, matches: all }));
    hub.receive(o.add(2));
    hub.receive(o.add(1, "issue.shipped"));
    await vi.waitFor(() => expect(ids(a)).toEqual(range(2, 4)));
    await vi.waitFor(() => expect(ids(b)).toEqual(range(2, 4)));
    expect(a.messages[2]).toEqual({ id: "id-4", event: "issue.shipped", data: '{"n":4}' });
    expect(o.reads).toBe(0); // live messages come from the publish alone
  });

  it("fills a hole in what was published from the database once for all clients, in order", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const clients = await Promise.all([1, 2, 3].map(() => hub.open({ after: null, matches: all }).then(read)));
    o.add(2); // committed, publish lost
    hub.receive(o.add(1));
    for (const c of clients) await vi.waitFor(() => expect(ids(c)).toEqual(range(2, 4)));
    expect(o.reads).toBe(1);
  });

  it("drops a message published twice", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: all }));
    const batch = o.add(2);
    hub.receive(batch);
    hub.receive(batch);
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(range(2, 4)));
  });

  it("resumes from history, then live, without a gap or a repeat while both arrive", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o, { pageSize: 2 });
    hub.receive(o.add(5));
    let open!: () => void;
    o.gate = new Promise((r) => (open = r));
    const c = read(await hub.open({ after: 2n, matches: all }));
    // While the history read waits: 6 and 7 committed and published, 8 committed and published later.
    hub.receive(o.add(2));
    o.add(1);
    open();
    o.gate = null;
    // 8 was committed before the history read ended: it comes from there.
    await vi.waitFor(() => expect(ids(c)).toEqual(range(3, 8)));
    hub.receive([o.rows[7]!]);
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(range(3, 9)));
  });

  it("goes live at once when resuming from the last message", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(3));
    await new Promise((r) => setImmediate(r)); // the hub has dispatched them
    const c = read(await hub.open({ after: 3n, matches: all }));
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(["id-4"]));
    expect(o.reads).toBe(0);
  });

  it("starts from the database's last position before the first publish, and reads what it missed", async () => {
    const o = fakeOutbox();
    o.add(3);
    const hub = hubOn(o);
    const c = read(await hub.open({ after: null, matches: all }));
    o.add(2); // publish lost
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(range(4, 6)));
  });

  it("sweeps from its live clients when it starts after them and a publish was lost", async () => {
    const o = fakeOutbox();
    o.add(3);
    const hub = hubOn(o);
    const c = read(await hub.open({ after: null, matches: all }));
    await vi.waitFor(() => expect(o.reads).toBe(1)); // its own history: nothing after 3
    o.add(2); // published before the hub was subscribed
    hub.sweep();
    await vi.waitFor(() => expect(ids(c)).toEqual(range(4, 5)));
  });

  it("reads on when the hub started past a client still reading its history", async () => {
    const o = fakeOutbox();
    o.add(3);
    const hub = hubOn(o);
    let open!: () => void;
    o.gate = new Promise((r) => (open = r));
    const c = read(await hub.open({ after: null, matches: all }));
    await vi.waitFor(() => expect(o.reads).toBe(1)); // its read began: nothing after 3
    o.add(2); // published before the hub was subscribed
    hub.sweep(); // the hub starts at 5
    await vi.waitFor(() => expect(o.reads).toBe(2));
    open();
    o.gate = null;
    await vi.waitFor(() => expect(ids(c)).toEqual(range(4, 5)));
  });

  it("does not take rows committed after its history read began for missing ones", async () => {
    const o = fakeOutbox();
    o.add(3);
    const hub = hubOn(o);
    let open!: () => void;
    o.gate = new Promise((r) => (open = r));
    const c = read(await hub.open({ after: 3n, matches: all }));
    await vi.waitFor(() => expect(o.reads).toBe(1)); // its snapshot: nothing after 3
    o.add(2); // 4 and 5 committed, their publish lost
    hub.receive(o.add(1)); // 6: the hub's first message, held by the client while its read is out
    open();
    o.gate = null;
    await vi.waitFor(() => expect(ids(c)).toEqual(range(4, 6)));
  });

  it("applies the filter, and a message filtered out still counts as passed", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: (i) => i.type === "issue.shipped" }));
    hub.receive(o.add(2));
    hub.receive(o.add(1, "issue.shipped"));
    hub.receive(o.add(1));
    hub.receive(o.add(1, "issue.shipped"));
    await vi.waitFor(() => expect(ids(c)).toEqual(["id-4", "id-6"]));
    expect(o.reads).toBe(0);
  });

  it("writes the prologue first and a comment on every beat", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o, { heartbeatMs: 20 });
    const stream = await hub.open({ after: null, matches: all, prologue: ": hello\n\n" });
    const c = read(stream);
    await vi.waitFor(() => expect(c.comments.filter((x) => x === "keep-alive").length).toBeGreaterThanOrEqual(2));
    expect(c.comments[0]).toBe("hello");
  });

  it("sweeps for a publish lost after the last one, on the beat", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o, { heartbeatMs: 20 });
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: all }));
    o.add(2); // relay crashed after commit: nothing published
    await vi.waitFor(() => expect(ids(c)).toEqual(range(2, 3)));
  });

  it("holds live messages back while the database is away, then sends them in order", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: all }));
    o.add(1);
    o.failing = 3;
    hub.receive(o.add(1));
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(range(2, 4)));
    expect(o.reads).toBe(4);
  });

  it("does not wait for positions published but missing from the database", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    hub.receive(o.add(1));
    const c = read(await hub.open({ after: null, matches: all }));
    const [, later] = o.add(2);
    o.rows.splice(1, 1); // 2 published (lost) but gone from the table
    hub.receive([later!]);
    await vi.waitFor(() => expect(ids(c)).toEqual(["id-3"]));
    hub.receive(o.add(1));
    await vi.waitFor(() => expect(ids(c)).toEqual(["id-3", "id-4"]));
  });

  it("ends the stream of a client that does not keep up, and only that one", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o, { maxBuffered: 50, closeGraceMs: 50 });
    hub.receive(o.add(1));
    const slow = (await hub.open({ after: null, matches: all }))!; // never read
    const fast = read(await hub.open({ after: null, matches: all }));
    const closed = new Promise((r) => slow.once("close", r));
    await new Promise((r) => setImmediate(r)); // the fast one is reading
    for (let i = 0; i < 100; i++) hub.receive(o.add(1));
    await closed;
    expect(hub.clients).toBe(1);
    await vi.waitFor(() => expect(ids(fast)).toEqual(range(2, 101)));
  });

  it("reads a long history page by page as the client takes it", async () => {
    const o = fakeOutbox();
    o.add(2000);
    const hub = hubOn(o, { pageSize: 100, maxBuffered: 150 });
    hub.receive([o.rows[1999]!]);
    const c = read(await hub.open({ after: 0n, matches: all }));
    await vi.waitFor(() => expect(c.messages.length).toBe(2000));
    expect(ids(c)).toEqual(range(1, 2000));
    expect(c.ended).toBe(false);
  });

  it("ends every stream on close and opens none after", async () => {
    const o = fakeOutbox();
    const hub = hubOn(o);
    const streams = await Promise.all([1, 2].map(() => hub.open({ after: null, matches: all })));
    const got = streams.map(read);
    await hub.close();
    expect(got.every((g) => g.ended)).toBe(true);
    expect(hub.clients).toBe(0);
    expect(await hub.open({ after: null, matches: all })).toBeNull();
  });
});
