import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { outboxChannel } from "../../src/shared/outbound.js";
import type { PrismaClient } from "../../src/store/prisma.js";
import { API_TOKENS, SECRETS, isolatedDatabase, startTestService, testPrisma } from "../helpers/service.js";
import { deployRequest, post } from "../../kit/sign.js";
import { openSse, type SseStream } from "../helpers/sse.js";
import { fakeRelay as relayOn, type RelayRow } from "../helpers/fake-relay.js";

type Svc = Awaited<ReturnType<typeof startTestService>>;
type Row = RelayRow;

const AUTH = { authorization: `Bearer ${API_TOKENS[0]}` };

const deploys = (n: number, environment = "production"): Row[] =>
  Array.from({ length: n }, () => ({ type: "deploy.succeeded", platform: "deploy", environment }));
const ids = (s: { messages: Array<{ id?: string }> }) => s.messages.map((m) => m.id);

let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let prisma: PrismaClient;
let redis: Redis;
let web: Svc;
let relay: ReturnType<typeof fakeRelay>;

/** The fake relay (helpers/fake-relay.ts), publishing to a service. */
function fakeRelay(prisma: PrismaClient, redis: Redis) {
  const r = relayOn(prisma, redis);
  return { commit: r.commit, relay: (svc: Svc, rows: Row[]) => r.relay(svc.config.REDIS_PREFIX, rows) };
}
const streams: SseStream[] = [];

beforeAll(async () => {
  db = await isolatedDatabase();
  prisma = testPrisma(db.url);
  redis = new Redis(inject("redisUrl"));
  relay = fakeRelay(prisma, redis);
  // A long beat: the hub's own database sweeps stay out of the way of the hole-filling tests.
  web = await startTestService({ DATABASE_URL: db.url, ROLE: "web", STREAM_HEARTBEAT_MS: "60000" });
});

afterAll(async () => {
  streams.forEach((s) => s.close());
  await web?.service.close();
  await prisma?.$disconnect();
  await redis?.quit();
  await db?.drop();
});

async function stream(svc: Svc, query = "", headers: Record<string, string> = {}) {
  const s = await openSse(`${svc.url}/api/stream${query}`, { ...AUTH, ...headers });
  streams.push(s);
  if (s.status === 200) await s.until(() => s.retry !== undefined); // the hub has the client
  return s;
}

describe("GET /api/stream", () => {
  it("refuses a request without a token", async () => {
    const res = await fetch(`${web.url}/api/stream`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/bearer/);
  });

  it("refuses a bad query and a malformed Last-Event-ID with 400", async () => {
    const bad = await stream(web, "?platform=bitbucket&after=nope");
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([expect.stringMatching(/^platform:/), expect.stringMatching(/^after:/)]);
    const id = await stream(web, "", { "last-event-id": "42" });
    expect(id.status).toBe(400);
    expect(id.body.error).toMatch(/Last-Event-ID/);
  });

  it("sends messages in order with id, event and data, as SSE", async () => {
    const s = await stream(web);
    expect(s.headers.get("content-type")).toBe("text/event-stream");
    expect(s.headers.get("cache-control")).toBe("no-cache");
    expect(s.headers.get("x-accel-buffering")).toBe("no");
    expect(s.headers.get("content-encoding")).toBeNull();
    expect(s.retry).toBe(2000);
    const items = await relay.relay(web, [...deploys(2), { type: "issue.shipped", environment: "production" }]);
    const got = await s.take(3);
    // The data's own fields, with the envelope's added (docs/outbound.md, "Message envelope").
    const envelope = (i: (typeof items)[number]) => ({ version: "1", correlationId: i.subject, causationId: i.id });
    const data = (i: (typeof items)[number]) => JSON.stringify({ ...(i.data as object), ...envelope(i) });
    expect(got).toEqual(items.map((i) => ({ id: i.id, event: i.type, data: data(i) })));
    expect(JSON.parse(got[0]!.data)).toEqual({ ...(items[0]!.data as object), ...envelope(items[0]!) });
  });

  it("reads from the database what was committed but not published, in order", async () => {
    const s = await stream(web);
    const lost = await relay.commit(deploys(2));
    const later = await relay.relay(web, deploys(1));
    await s.take(3);
    expect(ids(s)).toEqual([...lost, ...later].map((i) => i.id));
  });

  it("sends only what the filters match", async () => {
    const s = await stream(web, "?types=deploy.*,issue.shipped&where.environment=PROD*");
    const p = await stream(web, "?platform=github");
    const items = await relay.relay(web, [
      { type: "deploy.succeeded", platform: "deploy", environment: "production-eu" },
      { type: "deploy.failed", platform: "deploy", environment: "staging" },
      { type: "issue.shipped", environment: "production" },
      { type: "link.created" },
      { type: "github.push", platform: "github" },
      { type: "deploy.started", platform: "deploy" },
      { type: "deploy.succeeded", platform: "deploy", environment: "prod" },
    ]);
    await s.take(3);
    await p.take(1);
    const at = (...n: number[]) => n.map((i) => items[i]!.id);
    expect(ids(s)).toEqual(at(0, 2, 6));
    expect(ids(p)).toEqual(at(4));
  });

  it("resumes after a disconnect with Last-Event-ID, losing and repeating nothing", async () => {
    const first = await stream(web);
    const before = await relay.relay(web, deploys(5));
    await first.take(3);
    first.close();
    const resumeFrom = first.lastEventId!;
    const whileAway = await relay.relay(web, deploys(4));
    const again = await stream(web, "", { "last-event-id": resumeFrom });
    const all = [...before, ...whileAway].map((i) => i.id);
    const expected = all.slice(all.indexOf(resumeFrom) + 1);
    await again.take(expected.length);
    const live = await relay.relay(web, deploys(1));
    await again.take(expected.length + 1);
    expect(ids(again)).toEqual([...expected, live[0]!.id]);
  });

  it("resumes with ?after=, the Last-Event-ID header winning over it", async () => {
    const items = await relay.relay(web, deploys(4));
    const after = await stream(web, `?after=${items[0]!.id}`);
    await after.take(3);
    expect(ids(after)).toEqual(items.slice(1).map((i) => i.id));
    const both = await stream(web, `?after=${items[0]!.id}`, { "last-event-id": items[2]!.id });
    await both.take(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(ids(both)).toEqual([items[3]!.id]);
  });

  it("starts from now, saying so, when the id is not in the stream", async () => {
    await relay.relay(web, deploys(1));
    const unknown = randomUUID();
    const s = await stream(web, "", { "last-event-id": unknown });
    expect(s.comments).toEqual([`${unknown} is not in the stream (yet): live from now`]);
    const items = await relay.relay(web, deploys(1));
    await s.take(1);
    expect(ids(s)).toEqual([items[0]!.id]);
  });

  it("reads what was published while its Redis connection was down", async () => {
    const s = await stream(web);
    const clients = (await redis.client("LIST")) as string;
    const id = /id=(\d+) .*name=(\S+)/.exec(
      clients.split("\n").find((l) => l.includes(`name=${web.config.REDIS_PREFIX}:stream `)) ?? "",
    )?.[1];
    expect(id).toBeDefined();
    await redis.client("KILL", "ID", id!);
    const whileDown = await relay.relay(web, deploys(2));
    await s.take(2);
    const after = await relay.relay(web, deploys(1));
    await s.take(3);
    expect(ids(s)).toEqual([...whileDown, ...after].map((i) => i.id));
  });

  it("serves many clients on one Redis subscription per process", async () => {
    const many = await Promise.all(Array.from({ length: 50 }, () => stream(web, "?types=deploy.*")));
    const channel = outboxChannel(web.config.REDIS_PREFIX);
    const [, subscribers] = (await redis.pubsub("NUMSUB", channel)) as [string, number];
    expect(subscribers).toBe(1);
    const items = await relay.relay(web, deploys(2));
    for (const s of many) {
      await s.take(2);
      expect(ids(s)).toEqual(items.map((i) => i.id));
    }
    many.forEach((s) => s.close());
  });
});

describe("a stream's connection", () => {
  let svc: Svc;
  beforeAll(async () => {
    // Node's request timeout far below the stream's life: it must bound receiving the request only.
    svc = await startTestService({
      DATABASE_URL: db.url,
      ROLE: "web",
      STREAM_HEARTBEAT_MS: "100",
      HTTP_REQUEST_TIMEOUT_MS: "600",
      HTTP_HEADERS_TIMEOUT_MS: "300",
      HTTP_KEEP_ALIVE_TIMEOUT_MS: "300",
    });
  });
  let closed = false;
  afterAll(() => (closed ? undefined : svc?.service.close()));

  it("stays open past the request timeout, with a comment on every beat", async () => {
    const s = await stream(svc);
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.comments.filter((c) => c === "keep-alive").length).toBeGreaterThanOrEqual(5);
    const items = await relay.relay(svc, deploys(1));
    await s.take(1);
    expect(ids(s)).toEqual([items[0]!.id]);
  });

  it("ends open streams promptly when the service closes", async () => {
    const open = await Promise.all([1, 2, 3].map(() => stream(svc)));
    const started = Date.now();
    closed = true;
    await svc.service.close();
    await Promise.all(open.map((s) => s.ended));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("end to end, with the relay", () => {
  let svc: Svc;
  beforeAll(async () => {
    svc = await startTestService(); // every role, on the run's shared schema, its relay publishing
  });
  afterAll(() => svc?.service.close());

  it("streams a deploy posted to the webhook receiver", async () => {
    const deployId = `dep-${randomUUID()}`;
    const s = await stream(svc, `?types=deploy.*&subject=${encodeURIComponent(`deploy:generic:${deployId}`)}`);
    const body = {
      id: deployId,
      repository: "Acme/Web",
      environment: "production-eu",
      status: "succeeded",
      sha: "b".repeat(40),
      ref: "main",
      started_at: "2026-11-20T10:00:00Z",
      finished_at: "2026-11-20T10:04:30Z",
      service: "web",
    };
    const res = await post(`${svc.url}/webhooks/deploy`, deployRequest(body, SECRETS.deploy[0]!));
    expect(res.status, res.text).toBe(202);
    const [m] = await s.take(1, 20_000);
    expect(m).toMatchObject({ id: res.json.id, event: "deploy.succeeded" });
    const data = JSON.parse(m!.data);
    expect(data).toMatchObject({ id: res.json.id, platform: "deploy", subject: `deploy:generic:${deployId}` });
    expect(data).not.toHaveProperty("payload");
    // The envelope: the deploy is its own chain, the event its own cause.
    expect(data).toMatchObject({ version: "1", correlationId: `deploy:generic:${deployId}`, causationId: res.json.id });
  });
});
