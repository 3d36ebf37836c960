import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { v7 as uuidv7 } from "uuid";
import { afterAll, describe, expect, it } from "vitest";
import { API_TOKENS, useIsolatedService, waitFor } from "../helpers/service.js";
import { startReceiver, type Answer } from "../helpers/receiver.js";

/**
 * Subscription options (issue 18) end to end: minPriority through the relay, a rate limit, an
 * own maxInFlight, the circuit breaker and a recovery, against loopback receivers.
 */
const ctx = useIsolatedService({
  OUTBOUND_ALLOW_PRIVATE: "true",
  OUTBOUND_RETRY_SCHEDULE: "50ms,50ms,50ms,50ms,50ms,50ms",
  OUTBOUND_TIMEOUT_MS: "500",
  OUTBOUND_BREAKER_FAILURES: "3",
  OUTBOUND_BREAKER_COOLDOWN_S: "1",
});
const closers: Array<() => Promise<unknown>> = [];
afterAll(() => Promise.all(closers.map((c) => c())));

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${ctx.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

async function receiver(answer?: (n: number) => Answer) {
  const r = await startReceiver(answer);
  closers.push(r.close);
  return r;
}

/** A webhook subscription to `type` at `url`, with `options`; its name. */
async function subscribe(url: string, type: string, options: Record<string, unknown> = {}) {
  const name = `opt-${randomUUID().slice(0, 8)}`;
  const created = await api("POST", "/api/subscriptions", {
    name,
    kind: "webhook",
    url,
    types: [type],
    allowUnknownTypes: true,
    ...options,
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return name;
}

/** Outbox rows of `type`, one per item of `data`, in that order; the relay is woken. */
async function outbox(type: string, data: Array<Record<string, unknown>>, kind = "event") {
  const rows = data.map((d, i) => ({ id: uuidv7(), kind, type, data: d, at: new Date(Date.now() + i) }));
  for (const r of rows)
    await ctx.prisma.$executeRaw`
      INSERT INTO outbox (id, kind, type, data, created_at)
      VALUES (${r.id}::uuid, ${r.kind}, ${r.type}, ${JSON.stringify(r.data)}::jsonb, ${r.at})`;
  await ctx.prisma.$executeRaw`SELECT pg_notify('switchyard_outbox', '')`;
}

const bodyOf = (r: { body: string }) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> };

describe("subscription options", () => {
  it("minPriority: only events at or above it, and milestones as high", async () => {
    const type = `opt.priority.${randomUUID().slice(0, 6)}`;
    const r = await receiver();
    await subscribe(r.url(), type, { minPriority: "high" });
    const all = await receiver();
    await subscribe(all.url(), type);
    await outbox(type, [{ priority: "low" }, { priority: "critical" }, { priority: "normal" }, { priority: "high" }]);
    await outbox(type, [{ milestone: true }], "milestone");
    await waitFor(async () => all.received.length === 5);
    await waitFor(async () => r.received.length >= 3);
    await sleep(300); // time for a wrong fourth
    const got = r.received.map((x) => bodyOf(x).data);
    expect(got.map((d) => d.priority ?? "milestone").sort()).toEqual(["critical", "high", "milestone"]);
  });

  it("rateLimit: a throttled subscription receives every message in creation order, at its rate", async () => {
    const type = `opt.rate.${randomUUID().slice(0, 6)}`;
    const r = await receiver();
    await subscribe(r.url(), type, { rateLimit: 5 });
    const n = 8;
    await outbox(
      type,
      Array.from({ length: n }, (_, seq) => ({ seq, priority: "normal" })),
    );
    await waitFor(async () => r.received.length >= n, 15_000);
    expect(r.received.map((x) => bodyOf(x).data.seq)).toEqual(Array.from({ length: n }, (_, i) => i));
    // At most 5 a second: n messages take at least (n - 1) intervals of 200 ms (10 % for clocks).
    expect(r.received.at(-1)!.at - r.received[0]!.at).toBeGreaterThanOrEqual(((n - 1) / 5) * 1000 * 0.9);
  }, 20_000);

  it("maxInFlight: no more sends at once than the subscription allows", async () => {
    let inFlight = 0;
    let most = 0;
    let served = 0;
    const server = createServer((_req, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        served++;
        res.end("ok");
      }, 150);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    closers.push(() => new Promise((done) => server.close(done)));
    const { port } = server.address() as { port: number };
    const name = await subscribe(`http://127.0.0.1:${port}/hook`, "switchyard.test", { maxInFlight: 2 });
    for (let i = 0; i < 6; i++) expect((await api("POST", `/api/subscriptions/${name}/test`)).status).toBe(202);
    await waitFor(async () => served === 6, 15_000);
    expect(most).toBe(2);
  }, 20_000);

  it("the circuit breaker opens after consecutive failures, probes after the cooldown, and closes on success", async () => {
    // Attempts 1 to 4 fail: 3 open the breaker, the first probe fails and opens it again; the second succeeds.
    const r = await receiver((n) => ({ status: n < 4 ? 500 : 200 }));
    const name = await subscribe(r.url(), "switchyard.test");
    const sent = await api("POST", `/api/subscriptions/${name}/test`);
    const open = await waitFor(async () => {
      const s = (await api("GET", `/api/subscriptions/${name}`)).json;
      return s.breaker.openUntil && s;
    });
    expect(open.breaker.failures).toBeGreaterThanOrEqual(3);
    const m = await waitFor(async () => {
      const d = (await api("GET", `/api/subscriptions/${name}/deliveries/${sent.json.id}`)).json;
      return d.status === "succeeded" && d;
    }, 15_000);
    const at = m.attemptLog.map((a: { at: string }) => Date.parse(a.at));
    expect(m.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);
    // No attempt during a cooldown: each probe at least the cooldown after the failure before it.
    expect(at[3] - at[2]).toBeGreaterThanOrEqual(1000);
    expect(at[4] - at[3]).toBeGreaterThanOrEqual(1000);
    expect(r.received).toHaveLength(5);
    const closed = (await api("GET", `/api/subscriptions/${name}`)).json;
    expect(closed.breaker).toEqual({ failures: 0, openUntil: null });
    expect(closed.failingSince).toBeNull();
  }, 20_000);

  it("recover: requeues the failed and dead messages created since a time, not older ones", async () => {
    const r = await receiver();
    const name = await subscribe(r.url(), "switchyard.test");
    const { id: subscriptionId } = await ctx.prisma.subscription.findUniqueOrThrow({ where: { name } });
    const since = new Date(Date.now() - 3_600_000);
    const message = (status: string, createdAt: Date) => ({
      id: uuidv7(),
      subscriptionId,
      type: "switchyard.test",
      payload: { type: "switchyard.test", timestamp: createdAt.toISOString(), data: { status } },
      status,
      attempts: 7,
      createdAt,
      nextAttemptAt: status === "failed" ? new Date(Date.now() + 3_600_000) : null,
    });
    const old = message("dead", new Date(since.getTime() - 60_000));
    const dead = message("dead", new Date(since.getTime() + 60_000));
    const failed = message("failed", new Date());
    const done = message("succeeded", new Date());
    await ctx.prisma.outboundMessage.createMany({ data: [old, dead, failed, done] });

    expect((await api("POST", `/api/subscriptions/${name}/recover?since=yesterday`)).status).toBe(400);
    expect((await api("POST", `/api/subscriptions/${name}/recover`)).status).toBe(400);
    const recovered = await api("POST", `/api/subscriptions/${name}/recover?since=${since.toISOString()}`);
    expect(recovered).toEqual({ status: 202, json: { recovered: 2, queued: true, more: false } });
    await waitFor(async () => r.received.length >= 2);
    await sleep(300);
    expect(r.received.map((x) => x.headers["webhook-id"]).sort()).toEqual([dead.id, failed.id].sort());
    const statuses = await ctx.prisma.outboundMessage.findMany({
      where: { subscriptionId },
      select: { id: true, status: true, attempts: true },
    });
    expect(Object.fromEntries(statuses.map((s) => [s.id, [s.status, s.attempts]]))).toEqual({
      [old.id]: ["dead", 7],
      [dead.id]: ["succeeded", 8],
      [failed.id]: ["succeeded", 8],
      [done.id]: ["succeeded", 7],
    });

    await api("PUT", `/api/subscriptions/${name}`, { enabled: false });
    expect((await api("POST", `/api/subscriptions/${name}/recover?since=${since.toISOString()}`)).status).toBe(409);
  });
});
