import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { v7 as uuidv7 } from "uuid";
import { afterAll, describe, expect, it } from "vitest";
import { startOutbound } from "../../src/outbound/delivery/worker.js";
import { createWebhookSender } from "../../src/outbound/senders/webhook.js";
import { createOutboundQueue } from "../../src/outbound/delivery/queue.js";
import { producerConnection, workerConnection } from "../../src/queue/redis.js";
import { loadConfig } from "../../src/shared/config.js";
import { createLogger } from "../../src/shared/log.js";
import { insertMessages } from "../../src/store/outbound-messages.js";
import { openDatabase } from "../../src/store/prisma.js";
import { createSubscription, useKeyring } from "../../src/store/subscriptions.js";
import { keyring } from "../../src/shared/seal.js";
import { deleteRedisPrefix } from "../../bench/redis-prefix.js";
import { startReceiver, type Answer } from "../helpers/receiver.js";
import { PLAIN_INPUT } from "../helpers/subscription-input.js";
import {
  API_TOKENS,
  SECRETS_KEYS,
  isolatedDatabase,
  startTestService,
  testPrisma,
  useTestService,
  waitFor,
} from "../helpers/service.js";

const ctx = useTestService({
  OUTBOUND_ALLOW_PRIVATE: "true",
  OUTBOUND_RETRY_SCHEDULE: "50ms,50ms,50ms",
  OUTBOUND_TIMEOUT_MS: "500",
});
const receivers: Array<Awaited<ReturnType<typeof startReceiver>>> = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));

const call = (base: string, method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: r.status === 204 ? null : ((await r.json()) as any) }));
const api = (method: string, path: string, body?: unknown) => call(ctx.url, method, path, body);

const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** A receiver answering as `answer` says, and a subscription sending to it. */
async function subscribed(answer: (n: number) => Answer, path = "/hook", base = ctx.url) {
  const receiver = await startReceiver(answer);
  receivers.push(receiver);
  const secret = newSecret();
  const name = `wh-${randomUUID().slice(0, 8)}`;
  const created = await call(base, "POST", "/api/subscriptions", {
    name,
    kind: "webhook",
    url: receiver.url(path),
    types: ["switchyard.test"],
    secret,
  });
  expect(created.status).toBe(201);
  return { receiver, secret, name };
}

/** Queues a switchyard.test message through the API; its id. */
async function sendTest(name: string, base = ctx.url): Promise<string> {
  const r = await call(base, "POST", `/api/subscriptions/${name}/test`);
  expect(r.status).toBe(202);
  return r.json.id as string;
}

const message = (name: string, id: string, base = ctx.url) =>
  call(base, "GET", `/api/subscriptions/${name}/deliveries/${id}`).then((r) => r.json);
const messageWhen = (name: string, id: string, done: (m: any) => boolean, timeoutMs = 10_000, base = ctx.url) =>
  waitFor(async () => {
    const m = await message(name, id, base);
    return done(m) && m;
  }, timeoutMs);

describe("webhook delivery", () => {
  it("retries a failing endpoint with the same webhook-id and stops after a success", async () => {
    const { receiver, secret, name } = await subscribed((n) => ({ status: n < 2 ? 500 : 200 }));
    const id = await sendTest(name);
    const m = await messageWhen(name, id, (m) => m.status === "succeeded");
    expect(m).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(m.attemptLog.map((a: any) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, "HTTP 500"],
      [2, 500, "HTTP 500"],
      [3, 200, null],
    ]);
    expect(m.attemptLog[0].response).toBe("answered 500");
    await sleep(400); // time for a 4th attempt, were one (wrongly) queued
    expect(receiver.received).toHaveLength(3);
    for (const r of receiver.received) {
      expect(r.headers["webhook-id"]).toBe(id);
      // With the envelope of a test message: no cause, no entity chain (docs/outbound.md).
      const envelope = { version: "1", correlationId: null, causationId: null };
      const body = new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
      expect(body).toMatchObject({ type: "switchyard.test", ...envelope });
    }
    // The body is the same bytes on every attempt.
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    // Failing, then a success: the subscription is healthy again.
    expect((await api("GET", `/api/subscriptions/${name}`)).json).toMatchObject({ enabled: true, failingSince: null });
    // Operators see the attempts, the relay's backlog and the open streams.
    const metrics = await (await fetch(`${ctx.url}/metrics`)).text();
    const count = (status: string) =>
      Number(
        new RegExp(`^switchyard_outbound_attempts_total\\{kind="webhook",status="${status}"\\} (\\d+)`, "m").exec(
          metrics,
        )?.[1],
      );
    expect(count("failed")).toBeGreaterThanOrEqual(2);
    expect(count("succeeded")).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^switchyard_outbox_unrelayed \d+/m);
    expect(metrics).toMatch(/^switchyard_stream_clients 0/m);
  });

  it("disables the subscription on 410 Gone, with the reason; enabling clears it", async () => {
    const { receiver, name } = await subscribed(() => ({ status: 410 }));
    const id = await sendTest(name);
    const m = await messageWhen(name, id, (m) => m.status === "dead");
    expect(m).toMatchObject({ attempts: 1, lastStatusCode: 410, nextAttemptAt: null });
    const sub = await waitFor(async () => {
      const s = (await api("GET", `/api/subscriptions/${name}`)).json;
      return !s.enabled && s;
    });
    expect(sub.disabledReason).toMatch(/^the endpoint answered 410 Gone at \d{4}-/);
    expect(sub.failingSince).not.toBeNull();
    expect(receiver.received).toHaveLength(1);
    // A disabled subscription gets no test message and no retry.
    expect((await api("POST", `/api/subscriptions/${name}/test`)).status).toBe(409);
    expect((await api("POST", `/api/subscriptions/${name}/deliveries/${id}/retry`)).status).toBe(409);

    const enabled = await api("PUT", `/api/subscriptions/${name}`, { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.json).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });

  it("honours Retry-After on 429", async () => {
    const { receiver, name } = await subscribed((n) =>
      n === 0 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 },
    );
    const id = await sendTest(name);
    const failed = await messageWhen(name, id, (m) => m.attempts === 1);
    expect(failed).toMatchObject({ status: "failed", lastStatusCode: 429 });
    expect(Date.parse(failed.nextAttemptAt) - Date.parse(failed.attemptLog[0].at)).toBeGreaterThanOrEqual(1000);
    await messageWhen(name, id, (m) => m.status === "succeeded");
    const [first, second] = receiver.received;
    // The schedule alone would have retried after ~50 ms.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it("lists dead letters and retries them by hand, the attempts count going on", async () => {
    let healthy = false;
    const { receiver, name } = await subscribed(() => ({ status: healthy ? 200 : 500 }));
    const id = await sendTest(name);
    await messageWhen(name, id, (m) => m.status === "dead");
    const dead = await api("GET", `/api/subscriptions/${name}/deliveries?status=dead`);
    expect(dead.json.items).toEqual([
      expect.objectContaining({
        id,
        status: "dead",
        attempts: 4,
        lastStatusCode: 500,
        lastError: "HTTP 500",
        nextAttemptAt: null,
      }),
    ]);
    expect(receiver.received).toHaveLength(4); // 3 delays: 4 attempts

    healthy = true;
    const retry = await api("POST", `/api/subscriptions/${name}/deliveries/${id}/retry`);
    expect(retry.status).toBe(202);
    expect(retry.json).toEqual({ id, attempt: 5, status: "pending", queued: true });
    const m = await messageWhen(name, id, (m) => m.status === "succeeded");
    expect(m.attempts).toBe(5);
    expect(m.attemptLog.map((a: any) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual(Array(5).fill(id));
    expect((await api("GET", `/api/subscriptions/${name}/deliveries?status=dead`)).json.items).toEqual([]);
  });

  it("does not follow redirects", async () => {
    const receiver = await startReceiver((_, r) =>
      r.path === "/hook" ? { status: 302, headers: { location: "/elsewhere" } } : { status: 200 },
    );
    receivers.push(receiver);
    const name = `wh-${randomUUID().slice(0, 8)}`;
    await api("POST", "/api/subscriptions", {
      name,
      kind: "webhook",
      url: receiver.url("/hook"),
      types: ["switchyard.test"],
    });
    const id = await sendTest(name);
    const m = await messageWhen(name, id, (m) => m.status === "dead");
    expect(m.attemptLog[0]).toMatchObject({ statusCode: 302, error: "HTTP 302: redirects are not followed" });
    expect(receiver.received.map((r) => r.path)).toEqual(Array(4).fill("/hook"));
  });

  it("records a timeout", async () => {
    const { name } = await subscribed(() => "hold");
    const id = await sendTest(name);
    const m = await messageWhen(name, id, (m) => m.attempts >= 1);
    expect(m.attemptLog[0]).toMatchObject({ statusCode: null, error: "timed out after 500 ms" });
    expect(m.attemptLog[0].latencyMs).toBeGreaterThanOrEqual(450);
    expect(m.attemptLog[0].latencyMs).toBeLessThan(5000);
  });
});

describe("the webhook sender", () => {
  it("sends a URL's credentials as basic auth, the path and query whole, keeps 1 KiB of an answer", async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: "x".repeat(200_000) }));
    receivers.push(receiver);
    const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 2000 });
    try {
      const url = `http://us%40er:p%3Ass@127.0.0.1:${receiver.port}/hook/a?b=c`;
      const message = { id: "msg-1", attempt: 1, payload: {} as never, body: '{"a":1}' };
      const outcome = await sender.send({ url, secrets: [newSecret()] } as never, message);
      expect(outcome).toMatchObject({ ok: true, statusCode: 200 });
      expect(outcome.response).toBe("x".repeat(1024));
      const [r] = receiver.received;
      expect(r!.path).toBe("/hook/a?b=c");
      expect(r!.headers.authorization).toBe(`Basic ${Buffer.from("us@er:p:ss").toString("base64")}`);
      expect(r!.headers["user-agent"]).toBe("Switchyard-Webhooks/1");
      expect(r!.body).toBe('{"a":1}');
      // The cut answer's connection is not reused; the next send opens another.
      expect(await sender.send({ url, secrets: [newSecret()] } as never, message)).toMatchObject({ ok: true });
    } finally {
      sender.close();
    }
  });
});

describe("private destinations", () => {
  it("are refused by default at connect time, by address and by a name resolving to one", async () => {
    // A service of its own with the default OUTBOUND_ALLOW_PRIVATE (false). The API refuses these
    // URLs (test/e2e/subscriptions-targets.test.ts): stored directly, as if accepted under other settings.
    const other = await startTestService({ OUTBOUND_RETRY_SCHEDULE: "50ms,50ms,50ms" });
    const prisma = testPrisma();
    try {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const cases: Array<[string, RegExp]> = [
        [
          `http://127.0.0.1:${receiver.port}/hook`,
          /^destination refused: 127\.0\.0\.1 is a private, loopback or link-local address/,
        ],
        [
          `http://localhost:${receiver.port}/hook`,
          /^destination refused: localhost resolves to (127\.0\.0\.1|::1), which is a private/,
        ],
        [`http://[::1]:${receiver.port}/hook`, /^destination refused: ::1 is a private/],
        [`http://169.254.169.254/latest/meta-data`, /^destination refused: 169\.254\.169\.254 is a private/],
        // IPv4-compatible (::/96), which request-filtering-agent alone lets through.
        [`http://[::127.0.0.1]:${receiver.port}/hook`, /^destination refused: ::7f00:1 is a private.*::\/96/],
        [`http://0.0.0.0:${receiver.port}/hook`, /^destination refused: 0\.0\.0\.0 is an unspecified \(meta\) address/],
      ];
      for (const [url, error] of cases) {
        const name = `priv-${randomUUID().slice(0, 8)}`;
        await createSubscription(prisma, uuidv7(), {
          name,
          kind: "webhook",
          url,
          ...PLAIN_INPUT,
          types: ["switchyard.test"],
          where: {},
          enabled: true,
          secrets: [newSecret()],
        });
        const id = await sendTest(name, other.url);
        // Permanent: dead after one attempt, no retry.
        const m = await messageWhen(name, id, (m) => m.status === "dead", 10_000, other.url);
        expect(m.attempts, url).toBe(1);
        expect(m.lastError, url).toMatch(error);
        expect(m.lastStatusCode).toBeNull();
      }
      expect(receiver.received).toHaveLength(0);
    } finally {
      await other.service.close();
      await prisma.$disconnect();
    }
  });
});

describe("a subscription failing for OUTBOUND_DISABLE_AFTER_S", () => {
  it("is disabled with the reason, its message left to retry once enabled", async () => {
    const other = await startTestService({
      OUTBOUND_ALLOW_PRIVATE: "true",
      OUTBOUND_RETRY_SCHEDULE: "400ms,400ms,400ms,400ms,400ms",
      OUTBOUND_DISABLE_AFTER_S: "1",
    });
    try {
      const { receiver, name } = await subscribed(() => ({ status: 500 }), "/hook", other.url);
      const id = await sendTest(name, other.url);
      const failing = await waitFor(async () => {
        const s = (await call(other.url, "GET", `/api/subscriptions/${name}`)).json;
        return s.failingSince && s;
      });
      expect(failing.enabled).toBe(true);
      const sub = await waitFor(async () => {
        const s = (await call(other.url, "GET", `/api/subscriptions/${name}`)).json;
        return !s.enabled && s;
      });
      expect(sub.disabledReason).toMatch(/^every attempt failed from .* longer than OUTBOUND_DISABLE_AFTER_S \(1 s\)$/);
      expect(sub.failingSince).toBe(failing.failingSince);
      // No attempt after the one that disabled it: the message waits, failed, for the subscription.
      const sent = receiver.received.length;
      await sleep(1000);
      expect(receiver.received).toHaveLength(sent);
      expect((await message(name, id, other.url)).status).toBe("failed");
    } finally {
      await other.service.close();
    }
  });
});

describe("the sweeper", () => {
  it("queues a message whose job went missing, and a repeated job does not send twice", async () => {
    // Its own schema and queue prefix: a sweep takes every overdue message it sees.
    const db = await isolatedDatabase();
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: ctx.config.REDIS_URL,
      REDIS_PREFIX: `${ctx.config.REDIS_PREFIX}-sweep`,
      OUTBOUND_ALLOW_PRIVATE: "true",
      OUTBOUND_RETRY_SCHEDULE: "50ms",
    });
    const database = openDatabase(db.url, 4);
    useKeyring(database, keyring(SECRETS_KEYS));
    const producer = producerConnection(config.REDIS_URL);
    const blocking = workerConnection(config.REDIS_URL);
    const queue = createOutboundQueue({ connection: producer, prefix: config.REDIS_PREFIX });
    const outbound = startOutbound({
      db: database,
      connection: blocking,
      queue,
      config,
      log: createLogger("silent"),
      sweepEveryMs: 3_600_000,
      sweepGraceMs: 0,
    });
    try {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const sub = await createSubscription(database.prisma, uuidv7(), {
        name: "swept",
        kind: "webhook",
        url: receiver.url(),
        ...PLAIN_INPUT,
        types: ["*"],
        where: {},
        enabled: true,
        secrets: [newSecret()],
      });
      const id = uuidv7();
      const payload = { type: "switchyard.test", timestamp: new Date().toISOString(), data: {} };
      // Committed but never queued: a worker killed between the two.
      await insertMessages(database.prisma, [{ id, subscriptionId: sub.id, type: payload.type, payload }]);
      await sleep(20);
      expect(await outbound.sweep()).toBe(1);
      await waitFor(async () => receiver.received.length === 1);
      await waitFor(async () => {
        const m = await database.prisma.outboundMessage.findUnique({ where: { id } });
        return m?.status === "succeeded";
      });
      expect(await outbound.sweep()).toBe(0);
      // The same attempt queued again (its first job is gone): skipped, not sent twice.
      await queue.enqueue([{ id, attempt: 1 }]);
      await sleep(300);
      expect(receiver.received).toHaveLength(1);
      expect(await database.prisma.outboundAttempt.count({ where: { messageId: id } })).toBe(1);

      // Messages queued twice at once, in a relay's batch and each on its own (the sweeper's):
      // whichever job claims an attempt first sends it, the other puts it aside, then skips it.
      const twice = Array.from({ length: 20 }, () => uuidv7());
      await insertMessages(
        database.prisma,
        twice.map((m) => ({ id: m, subscriptionId: sub.id, type: payload.type, payload })),
      );
      await Promise.all([queue.enqueueFirst(twice), queue.enqueue(twice.map((m) => ({ id: m, attempt: 1 })))]);
      await waitFor(async () => receiver.received.length === 1 + twice.length);
      await waitFor(
        async () =>
          (await database.prisma.outboundMessage.count({ where: { id: { in: twice }, status: "succeeded" } })) ===
          twice.length,
      );
      await sleep(300);
      expect(receiver.received).toHaveLength(1 + twice.length);
      expect(await database.prisma.outboundAttempt.count({ where: { messageId: { in: twice } } })).toBe(twice.length);
    } finally {
      await outbound.close();
      await queue.queue.close();
      producer.disconnect();
      blocking.disconnect();
      await deleteRedisPrefix(config.REDIS_URL, config.REDIS_PREFIX);
      await database.close();
      await db.drop();
    }
  });
});
