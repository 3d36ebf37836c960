import { Redis } from "ioredis";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { PrismaClient } from "../../src/store/prisma.js";
import { API_TOKENS, isolatedDatabase, startTestService, testPrisma, waitFor } from "../helpers/service.js";
import { fakeRelay, type RelayRow } from "../helpers/fake-relay.js";
import { isRefusal, openWs, type WsRefusal, type WsStream } from "../helpers/ws-stream.js";

/** GET /api/stream as a WebSocket (docs/outbound.md, "WebSocket stream"), against a real server. */

type Svc = Awaited<ReturnType<typeof startTestService>>;
const [A, B] = API_TOKENS as [string, string];
const PROTOCOLS = (token: string) => ["switchyard.v1", `bearer.${token}`];

let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let prisma: PrismaClient;
let redis: Redis;
let relay: ReturnType<typeof fakeRelay>;
const open: WsStream[] = [];

beforeAll(async () => {
  db = await isolatedDatabase();
  prisma = testPrisma(db.url);
  redis = new Redis(inject("redisUrl"));
  relay = fakeRelay(prisma, redis);
});

afterAll(async () => {
  open.forEach((s) => s.ws.terminate());
  await prisma?.$disconnect();
  await redis?.quit();
  await db?.drop();
});

const wsUrl = (svc: Svc, query = "") => `${svc.url.replace(/^http/, "ws")}/api/stream${query}`;
const deploys = (n: number, environment = "production"): RelayRow[] =>
  Array.from({ length: n }, (_, i) => ({
    type: "deploy.succeeded",
    platform: "deploy",
    environment,
    subject: `deploy:generic:d${i}`,
  }));

/** A stream authenticated in its request (or as `options` say), once the hub has it (its ready message). */
async function stream(svc: Svc, query = "", options: Parameters<typeof openWs>[1] = { protocols: PROTOCOLS(A) }) {
  const s = await openWs(wsUrl(svc, query), options);
  if (isRefusal(s)) throw new Error(`refused: ${s.status} ${s.body.error}`);
  open.push(s);
  await s.until(() => s.controls.some((c) => c.type === "switchyard.ready"));
  return s;
}

async function refused(svc: Svc, query: string, options: Parameters<typeof openWs>[1]): Promise<WsRefusal> {
  const r = await openWs(wsUrl(svc, query), options);
  if (!isRefusal(r)) {
    open.push(r);
    throw new Error("upgraded");
  }
  return r;
}

async function streamClients(svc: Svc): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  return Number(/^switchyard_stream_clients (\d+)$/m.exec(text)?.[1]);
}

describe("GET /api/stream as a WebSocket", () => {
  let svc: Svc;
  const prefix = () => svc.config.REDIS_PREFIX;
  beforeAll(async () => {
    svc = await startTestService({ DATABASE_URL: db.url, ROLE: "web", STREAM_HEARTBEAT_MS: "60000" });
  });
  afterAll(() => svc?.service.close());

  it("takes the token as a subprotocol, echoes only switchyard.v1, and sends each item as one JSON message", async () => {
    const s = await stream(svc);
    expect(s.ws.protocol).toBe("switchyard.v1");
    expect(s.controls[0]).toEqual({ type: "switchyard.ready", protocol: "switchyard.v1", after: null });
    const items = await relay.relay(prefix(), deploys(2));
    const got = await s.take(2);
    expect(got).toEqual(
      items.map((i) => ({
        ...(i.data as object),
        id: i.id,
        type: i.type,
        position: i.position,
        version: "1",
        correlationId: i.subject,
        causationId: i.id,
      })),
    );
  });

  it("refuses a wrong token with 401 before upgrading, and a token in the URL with 400", async () => {
    const wrong = await refused(svc, "", { protocols: PROTOCOLS("not-a-token-0123456789abcdef0123456789") });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(wrong.body.error).toMatch(/bearer token/);
    expect(JSON.stringify(wrong)).not.toContain("not-a-token");
    for (const name of ["token", "access_token"]) {
      const inUrl = await refused(svc, `?${name}=${A}`, { protocols: ["switchyard.v1"] });
      expect(inUrl.status).toBe(400);
      expect(inUrl.body.error).toMatch(/not accepted in the URL/);
      expect(JSON.stringify(inUrl)).not.toContain(A);
    }
    const badQuery = await refused(svc, "?platform=bitbucket&after=nope", { protocols: PROTOCOLS(A) });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.problems).toEqual([expect.stringMatching(/^platform:/), expect.stringMatching(/^after:/)]);
  });

  it("takes an Authorization header too, and upgrades no other path", async () => {
    const s = await stream(svc, "", { headers: { authorization: `Bearer ${A}` } });
    expect(s.ws.protocol).toBe("");
    // Another /api path asking to upgrade: refused (Node 20) or answered by the API's guard (Node 24.9+).
    const other = await openWs(`${svc.url.replace(/^http/, "ws")}/api/events`, { protocols: PROTOCOLS(A) });
    if (!isRefusal(other)) throw new Error("upgraded");
    expect([400, 401]).toContain(other.status);
  });

  it("takes the token from a first auth message, and closes with 4401 on a wrong one", async () => {
    const s = await openWs(wsUrl(svc, "?types=deploy.*"), { protocols: ["switchyard.v1"] });
    if (isRefusal(s)) throw new Error("refused");
    open.push(s);
    s.ws.send(JSON.stringify({ type: "auth", token: B }));
    await s.until(() => s.controls.length > 0);
    const items = await relay.relay(prefix(), [{ type: "link.created" }, ...deploys(1)]);
    await s.take(1);
    expect(s.items.map((i) => i.id)).toEqual([items[1]!.id]);

    const wrong = await openWs(wsUrl(svc), { protocols: ["switchyard.v1"] });
    if (isRefusal(wrong)) throw new Error("refused");
    wrong.ws.send(JSON.stringify({ type: "auth", token: "wrong-0123456789abcdef0123456789abcdef" }));
    expect(await wrong.closed).toEqual({ code: 4401, reason: "missing or invalid bearer token" });
    const garbled = await openWs(wsUrl(svc), {});
    if (isRefusal(garbled)) throw new Error("refused");
    garbled.ws.send("hello");
    expect((await garbled.closed).code).toBe(4400);
  });

  it("closes a socket that sends no auth message in time with 4401", async () => {
    const s = await openWs(wsUrl(svc), { protocols: ["switchyard.v1"] });
    if (isRefusal(s)) throw new Error("refused");
    expect(await s.closed).toEqual({ code: 4401, reason: "no auth message in time" });
  });

  it("sends only what the filters match, as SSE does", async () => {
    const s = await stream(svc, "?types=deploy.*,issue.shipped&where.environment=PROD*");
    const items = await relay.relay(prefix(), [
      { type: "deploy.succeeded", platform: "deploy", environment: "production-eu" },
      { type: "deploy.failed", platform: "deploy", environment: "staging" },
      { type: "issue.shipped", environment: "production" },
      { type: "link.created" },
      { type: "deploy.succeeded", platform: "deploy", environment: "prod" },
    ]);
    await s.take(3);
    expect(s.items.map((i) => i.id)).toEqual([0, 2, 4].map((n) => items[n]!.id));
  });

  it("resumes from a position with exactly what follows it while new items keep arriving", async () => {
    const before = await relay.relay(prefix(), deploys(30));
    const from = before[9]!;
    // Items keep coming while the client reads its history and goes live.
    let relaying = true;
    const more: string[] = [];
    const feeding = (async () => {
      while (relaying) more.push(...(await relay.relay(prefix(), deploys(3))).map((i) => i.position));
    })();
    const byQuery = await stream(svc, `?after=${from.position}`);
    // The same from the auth message, by the message's id.
    const byMessage = await openWs(wsUrl(svc), { protocols: ["switchyard.v1"] });
    if (isRefusal(byMessage)) throw new Error("refused");
    open.push(byMessage);
    byMessage.ws.send(JSON.stringify({ type: "auth", token: A, after: from.id }));
    await byQuery.until(() => byQuery.items.length >= 40);
    relaying = false;
    await feeding;
    const last = BigInt(more.at(-1)!);
    const expected = Array.from({ length: Number(last - BigInt(from.position)) }, (_, i) =>
      String(BigInt(from.position) + BigInt(i + 1)),
    );
    for (const s of [byQuery, byMessage]) {
      await s.take(expected.length, 20_000);
      expect(s.items.map((i) => i.position)).toEqual(expected);
    }
    expect(byMessage.controls[0]).toMatchObject({ type: "switchyard.ready", after: from.position });
  });

  it("starts from now, saying so, for a position not relayed yet", async () => {
    const s = await stream(svc, "?after=999999999");
    expect(s.controls[0]).toMatchObject({ after: null, notice: "999999999 is not in the stream (yet): live from now" });
  });

  it("shows an EventSource client the same items as a WebSocket for the same filter", async () => {
    const query = "?types=deploy.*&where.environment=prod*";
    const ws = await stream(svc, query);
    const sse: Array<{ id: string; type: string; data: Record<string, unknown> }> = [];
    const es = new EventSource(`${svc.url}/api/stream${query}`, {
      fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, authorization: `Bearer ${A}` } }),
    });
    const opened = new Promise((resolve, reject) => {
      es.onopen = resolve;
      es.onerror = reject;
    });
    for (const type of ["deploy.succeeded", "deploy.failed"]) {
      es.addEventListener(type, (e) => sse.push({ id: e.lastEventId, type, data: JSON.parse(e.data) }));
    }
    try {
      await opened;
      await waitFor(async () => (await streamClients(svc)) >= 2);
      const items = await relay.relay(prefix(), [
        ...deploys(2),
        { type: "deploy.failed", platform: "deploy", environment: "staging" },
        { type: "deploy.failed", platform: "deploy", environment: "production" },
      ]);
      await ws.take(3);
      await waitFor(async () => sse.length >= 3);
      expect(sse.map((m) => m.id)).toEqual([0, 1, 3].map((n) => items[n]!.id));
      // The WebSocket's message is the SSE data with the item's id, type and position.
      expect(ws.items).toEqual(
        sse.map((m, n) => ({ ...m.data, id: m.id, type: m.type, position: items[[0, 1, 3][n]!]!.position })),
      );
    } finally {
      es.close();
    }
  });
});

describe("a WebSocket's connection", () => {
  let svc: Svc;
  beforeAll(async () => {
    // Node's request timeout far below the socket's life: it must bound receiving the request only.
    svc = await startTestService({
      DATABASE_URL: db.url,
      ROLE: "web",
      STREAM_HEARTBEAT_MS: "100",
      HTTP_REQUEST_TIMEOUT_MS: "600",
      HTTP_HEADERS_TIMEOUT_MS: "300",
    });
  });
  afterAll(() => svc?.service.close());

  it("stays open past the request timeout, pinged on every beat", async () => {
    const s = await stream(svc);
    let pings = 0;
    s.ws.on("ping", () => pings++);
    await new Promise((r) => setTimeout(r, 1500));
    expect(pings).toBeGreaterThanOrEqual(5);
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    const items = await relay.relay(svc.config.REDIS_PREFIX, deploys(1));
    await s.take(1);
    expect(s.items.map((i) => i.id)).toEqual([items[0]!.id]);
  });
});

describe("a WebSocket client that does not read", () => {
  let svc: Svc;
  let closed = false;
  beforeAll(async () => {
    svc = await startTestService({
      DATABASE_URL: db.url,
      ROLE: "web",
      STREAM_HEARTBEAT_MS: "60000",
      STREAM_MAX_CLIENTS_PER_TOKEN: "1",
      STREAM_MAX_BUFFERED_BYTES: String(64 * 1024),
    });
  });
  afterAll(() => (closed ? undefined : svc?.service.close()));

  it("is closed with 4008 once too far behind, its slot freed, as SSE ends its stream", async () => {
    const slow = await stream(svc, "", { protocols: PROTOCOLS(A) });
    const reader = await stream(svc, "", { protocols: PROTOCOLS(B) });
    // The token's one slot is held: a second stream is refused before upgrading, as SSE answers.
    const second = await refused(svc, "", { protocols: PROTOCOLS(A) });
    expect(second.status).toBe(503);
    expect(second.body.error).toMatch(/STREAM_MAX_CLIENTS_PER_TOKEN/);
    slow.ws.pause(); // reads nothing more: TCP holds the server back
    // About 8 MB: more than the kernel's socket buffers on loopback hold, far under 10,000 messages.
    const items = await relay.commit(
      Array.from({ length: 256 }, () => ({ type: "deploy.changes", environment: "production" })),
    );
    const pad = "x".repeat(32 * 1024);
    await prisma.$executeRaw`UPDATE outbox SET data = jsonb_build_object('pad', ${pad}::text)
      WHERE position >= ${BigInt(items[0]!.position)}`;
    for (const item of items) item.data = { pad };
    for (let i = 0; i < items.length; i += 10) await relay.publish(svc.config.REDIS_PREFIX, items.slice(i, i + 10));
    await reader.take(items.length, 20_000);
    await waitFor(async () => (await streamClients(svc)) === 1, 15_000);
    slow.ws.resume();
    expect(await slow.closed).toMatchObject({ code: 4008, reason: expect.stringMatching(/^slow client/) });
    expect(slow.items.length).toBeLessThan(items.length);
    // The slot is free again: the client reconnects, resuming after the last position it got.
    const last = slow.items.at(-1)?.position ?? String(BigInt(items[0]!.position) - 1n);
    const again = await waitFor(async () => {
      const r = await openWs(wsUrl(svc, `?after=${last}`), { protocols: PROTOCOLS(A) });
      if (isRefusal(r)) return null;
      open.push(r);
      return r;
    }, 5000);
    await again.take(items.length - slow.items.length, 20_000);
    expect([...slow.items, ...again.items].map((i) => i.id)).toEqual(items.map((i) => i.id));
  });

  it("closes its sockets with 1001 when the service shuts down", async () => {
    const held = open.filter((o) => o.ws.readyState === o.ws.OPEN);
    expect(held.length).toBeGreaterThan(0); // the reader of B and the resumed A
    closed = true;
    await svc.service.close();
    for (const s of held) expect((await s.closed).code).toBe(1001);
  });
});
