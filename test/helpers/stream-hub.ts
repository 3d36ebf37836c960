import type { Readable } from "node:stream";
import { afterEach } from "vitest";
import { createHub, type Hub, type HubOptions } from "../../src/outbound/stream/hub.js";
import { createLogger } from "../../src/shared/log.js";
import type { OutboxItem } from "../../src/shared/outbound.js";
import { sseParser, type SseEvent } from "./sse.js";

/** The stream hub with a fake outbox, for the hub's and its clients' unit tests. */

const log = createLogger("silent");

/** The outbox table as the hub reads it: rows 1..n; reads can be held back or made to fail. */
export function fakeOutbox() {
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

export type FakeOutbox = ReturnType<typeof fakeOutbox>;

/** A `hubOn` whose hubs are closed after each test of the file that calls it. */
export function hubsClosedAfterEach() {
  const hubs: Hub[] = [];
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.close()));
  });
  return function hubOn(o: FakeOutbox, options: Partial<HubOptions> = {}) {
    const hub = createHub({ source: o.source, log, heartbeatMs: 60_000, retryMs: 10, ...options });
    hubs.push(hub);
    return hub;
  };
}

/** What a client's stream brought: messages, comments, and whether it ended. */
export function read(stream: Readable | null) {
  const got = { messages: [] as SseEvent[], comments: [] as string[], ended: false };
  const parser = sseParser({ message: (m) => got.messages.push(m), comment: (c) => got.comments.push(c) });
  stream!.setEncoding("utf8");
  stream!.on("data", (chunk: string) => parser.push(chunk));
  stream!.on("end", () => (got.ended = true));
  return got;
}

export const ids = (got: { messages: SseEvent[] }) => got.messages.map((m) => m.id);
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `id-${from + i}`);
export const all = () => true;
