import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { startReceiver, type Answer } from "../helpers/receiver.js";
import { API_TOKENS, useIsolatedService, waitFor } from "../helpers/service.js";

/**
 * Issue 21: a receiver that never answers must not delay the others. The worker has 8 slots; the
 * hanging subscription may hold 4 of them at once (its other jobs wait in the delayed set, not in
 * a slot), so a healthy subscription's messages, queued behind a dozen hanging ones, are
 * delivered at once, and the hanging ones are still each attempted and retried as usual.
 */
const TIMEOUT_MS = 2000;
const ctx = useIsolatedService({
  OUTBOUND_ALLOW_PRIVATE: "true",
  OUTBOUND_TIMEOUT_MS: String(TIMEOUT_MS),
  OUTBOUND_RETRY_SCHEDULE: "100ms",
  OUTBOUND_CONCURRENCY: "8",
  OUTBOUND_MAX_IN_FLIGHT_PER_SUBSCRIPTION: "4",
  // Every attempt here times out: the circuit breaker (off here) would pause the subscription.
  OUTBOUND_BREAKER_FAILURES: "0",
});
const receivers: Array<Awaited<ReturnType<typeof startReceiver>>> = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${ctx.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: r.status === 204 ? null : ((await r.json()) as any) }));

async function subscribed(answer: () => Answer) {
  const receiver = await startReceiver(answer);
  receivers.push(receiver);
  const name = `iso-${randomUUID().slice(0, 8)}`;
  const created = await api("POST", "/api/subscriptions", {
    name,
    kind: "webhook",
    url: receiver.url(),
    types: ["switchyard.test"],
    secret: `whsec_${randomBytes(32).toString("base64")}`,
  });
  expect(created.status).toBe(201);
  return { receiver, name };
}

async function sendTest(name: string): Promise<{ id: string; at: number }> {
  const r = await api("POST", `/api/subscriptions/${name}/test`);
  expect(r.status).toBe(202);
  return { id: r.json.id as string, at: Date.now() };
}

describe("a receiver that never answers", () => {
  it("holds only its own share of the worker: the healthy subscription beside it is delivered at once", async () => {
    const hanging = await subscribed(() => "hold");
    const healthy = await subscribed(() => ({ status: 204 }));

    const stuck: string[] = [];
    for (let i = 0; i < 12; i++) stuck.push((await sendTest(hanging.name)).id);
    // The hanging receiver has its first requests, held: the worker is busy with it.
    await waitFor(async () => hanging.receiver.received.length >= 4);
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push(await sendTest(healthy.name));

    await waitFor(async () => healthy.receiver.received.length >= sent.length, 10_000);
    for (const s of sent) {
      const r = healthy.receiver.received.find((x) => x.headers["webhook-id"] === s.id)!;
      // Well below the hanging receiver's time limit (it would be at least one of them otherwise).
      expect(r.at - s.at).toBeLessThan(TIMEOUT_MS / 2);
    }
    expect(healthy.receiver.received).toHaveLength(sent.length);
    // Never more than its limit at once: the first timeouts are only now ending.
    expect(hanging.receiver.received.length).toBeLessThanOrEqual(4);

    // Nothing of the hanging one's is lost or sent twice: each message is attempted, retried once
    // (the schedule has one retry), then dead, with the usual attempt numbers and one webhook-id.
    const messages = await waitFor(async () => {
      const all = await ctx.prisma.outboundMessage.findMany({ where: { id: { in: stuck } } });
      return all.length === stuck.length && all.every((m) => m.status === "dead") && all;
    }, 40_000);
    for (const m of messages) expect(m.attempts).toBe(2);
    const attempts = await ctx.prisma.outboundAttempt.findMany({ where: { messageId: { in: stuck } } });
    expect(attempts).toHaveLength(stuck.length * 2);
    for (const id of stuck) {
      const mine = attempts.filter((a) => a.messageId === id).map((a) => [a.attempt, a.error]);
      expect(mine.sort()).toEqual([
        [1, `timed out after ${TIMEOUT_MS} ms`],
        [2, `timed out after ${TIMEOUT_MS} ms`],
      ]);
    }
    const ids = hanging.receiver.received.map((r) => String(r.headers["webhook-id"]));
    expect(ids).toHaveLength(stuck.length * 2);
    for (const id of stuck) expect(ids.filter((x) => x === id)).toHaveLength(2);
  }, 60_000);
});
