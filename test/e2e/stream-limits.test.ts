import { randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { outboxChannel, type OutboxItem } from "../../src/shared/outbound.js";
import type { PrismaClient } from "../../src/store/prisma.js";
import { API_TOKENS, isolatedDatabase, startTestService, testPrisma, waitFor } from "../helpers/service.js";
import { openSse, type SseStream } from "../helpers/sse.js";

/** The caps on live streams (per token, per process) and the byte bound on a client that does not read. */

type Svc = Awaited<ReturnType<typeof startTestService>>;

const [A, B] = API_TOKENS as [string, string];
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let prisma: PrismaClient;
let redis: Redis;
const open: SseStream[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  db = await isolatedDatabase();
  prisma = testPrisma(db.url);
  redis = new Redis(inject("redisUrl"));
});

afterAll(async () => {
  open.forEach((s) => s.close());
  sockets.forEach((s) => s.destroy());
  await prisma?.$disconnect();
  await redis?.quit();
  await db?.drop();
});

async function stream(svc: Svc, token: string) {
  const s = await openSse(`${svc.url}/api/stream`, auth(token));
  open.push(s);
  if (s.status === 200) await s.until(() => s.retry !== undefined); // the hub has the client
  return s;
}

/** Opens a stream once a slot is free again (the server sees a client go a moment after it goes). */
const streamWhenFree = (svc: Svc, token: string) =>
  waitFor(async () => {
    const s = await stream(svc, token);
    return s.status === 200 ? s : null;
  }, 5000);

async function streamClients(svc: Svc): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  return Number(/^switchyard_stream_clients (\d+)$/m.exec(text)?.[1]);
}

function expectRefused(s: SseStream, limit: RegExp) {
  expect(s.status).toBe(503);
  expect(s.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(s.headers.get("content-type")).toMatch(/^application\/json/);
  expect(s.headers.get("cache-control")).toBeNull(); // no stream header went out
  expect(s.body.error).toMatch(limit);
}

describe("the caps on live streams", () => {
  let svc: Svc;
  beforeAll(async () => {
    svc = await startTestService({
      DATABASE_URL: db.url,
      ROLE: "web",
      STREAM_HEARTBEAT_MS: "60000",
      STREAM_MAX_CLIENTS: "3",
      STREAM_MAX_CLIENTS_PER_TOKEN: "2",
    });
  });
  afterAll(() => svc?.service.close());

  it("refuses a token's stream past its cap with 503 and Retry-After, the other token still getting in", async () => {
    const a = [await stream(svc, A), await stream(svc, A)];
    expect(a.map((s) => s.status)).toEqual([200, 200]);
    expectRefused(await stream(svc, A), /STREAM_MAX_CLIENTS_PER_TOKEN/);
    const b = await stream(svc, B);
    expect(b.status).toBe(200);
    // Three in all: the cap of the process, whatever the token.
    expectRefused(await stream(svc, B), /at most 3 \(STREAM_MAX_CLIENTS\)/);
    // A client that goes frees its slot.
    a[0]!.close();
    const again = await streamWhenFree(svc, A);
    expectRefused(await stream(svc, A), /STREAM_MAX_CLIENTS_PER_TOKEN/);
    [a[1]!, b, again].forEach((s) => s.close());
    await waitFor(async () => (await streamClients(svc)) === 0);
  });

  it("leaks no slot: open up to the cap, close them all, open as many again", async () => {
    for (let round = 0; round < 3; round++) {
      const got = [await streamWhenFree(svc, A), await streamWhenFree(svc, A), await streamWhenFree(svc, B)];
      expectRefused(await stream(svc, B), /STREAM_MAX_CLIENTS/);
      got.forEach((s) => s.close());
    }
    await waitFor(async () => (await streamClients(svc)) === 0);
  });

  it("gives the slot back on an answer that is not a stream", async () => {
    const bad = await openSse(`${svc.url}/api/stream`, { ...auth(A), "last-event-id": "42" });
    expect(bad.status).toBe(400);
    // An id not relayed (looked up in PostgreSQL while the slot is held), twice the cap's worth of them.
    for (let i = 0; i < 4; i++) {
      const s = await openSse(`${svc.url}/api/stream`, { ...auth(A), "last-event-id": randomUUID() });
      open.push(s);
      expect(s.status).toBe(200);
      await s.until(() => s.comments.length > 0);
      s.close();
      await waitFor(async () => (await streamClients(svc)) === 0);
    }
    const held = [await streamWhenFree(svc, A), await streamWhenFree(svc, A)];
    held.forEach((s) => s.close());
  });
});

describe("a client that does not read", () => {
  let svc: Svc;
  beforeAll(async () => {
    svc = await startTestService({
      DATABASE_URL: db.url,
      ROLE: "web",
      STREAM_HEARTBEAT_MS: "60000",
      STREAM_MAX_CLIENTS_PER_TOKEN: "1",
      STREAM_MAX_BUFFERED_BYTES: String(64 * 1024),
    });
  });
  afterAll(() => svc?.service.close());

  /** Rows committed after the last position, as the relay numbers them, then published. */
  async function relay(n: number, pad: string): Promise<OutboxItem[]> {
    const [{ p }] = await prisma.$queryRaw<[{ p: bigint | null }]>`SELECT max(position) AS p FROM outbox`;
    const items = Array.from({ length: n }, (_, i): OutboxItem => {
      const id = randomUUID();
      return {
        position: String((p ?? 0n) + BigInt(i + 1)),
        id,
        kind: "milestone",
        type: "deploy.changes",
        platform: null,
        repository: "acme/web",
        environment: "production",
        subject: null,
        data: { id, pad },
        createdAt: new Date().toISOString(),
      };
    });
    for (const it of items) {
      await prisma.$executeRaw`
        INSERT INTO outbox (id, position, kind, type, platform, repository, environment, subject, data)
        VALUES (${it.id}::uuid, ${BigInt(it.position)}, ${it.kind}, ${it.type}, ${it.platform}, ${it.repository},
                ${it.environment}, ${it.subject}, ${JSON.stringify(it.data)}::jsonb)`;
    }
    for (let i = 0; i < items.length; i += 10) {
      await redis.publish(outboxChannel(svc.config.REDIS_PREFIX), JSON.stringify(items.slice(i, i + 10)));
    }
    return items;
  }

  it("has its stream cut once it is too far behind, and its slot freed", async () => {
    // A raw connection that reads nothing after the request: TCP holds the server back.
    const socket = connect(svc.service.port, "127.0.0.1");
    sockets.push(socket);
    socket.write(`GET /api/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${A}\r\n\r\n`);
    const reader = await stream(svc, B); // and one that reads
    await waitFor(async () => (await streamClients(svc)) === 2);
    // About 8 MB: more than the kernel's socket buffers on loopback hold (some 4 MB), far under 10,000 messages.
    const items = await relay(256, "x".repeat(32 * 1024));
    await reader.take(items.length, 15_000);
    await waitFor(async () => (await streamClients(svc)) === 1, 15_000);
    expect(reader.messages.map((m) => m.id)).toEqual(items.map((i) => i.id));
    // Read at last: the stream was ended, not the whole of it sent.
    let got = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (got += chunk));
    await new Promise((resolve) => socket.once("close", resolve));
    expect(got.startsWith("HTTP/1.1 200")).toBe(true);
    const sent = got.split("\nid: ").length - 1;
    expect(sent).toBeLessThan(items.length);
    // The token's one slot is free again; the client resumes.
    const again = await streamWhenFree(svc, A);
    expect(again.status).toBe(200);
    [again, reader].forEach((s) => s.close());
  });
});
