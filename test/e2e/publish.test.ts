import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { tokenId } from "../../src/http/auth.js";
import { PUBLISHER_HEADER } from "../../src/platforms/custom/delivery.js";
import { API_TOKENS, useIsolatedService, waitFor } from "../helpers/service.js";
import { startReceiver } from "../helpers/receiver.js";
import { openSse } from "../helpers/sse.js";

/**
 * Issue 18 "Publish": a published batch is stored like a delivery and then is an event like any other —
 * in history, in the graph through a custom rule reading its keys, sent once to a subscription for its
 * types, and once on the live stream.
 */
const ctx = useIsolatedService({ OUTBOUND_ALLOW_PRIVATE: "true" });
const receiver = await startReceiver(() => ({ status: 204 }));
afterAll(() => receiver.close());

const AUTH = { authorization: `Bearer ${API_TOKENS[0]}` };
const api = (method: string, path: string, body?: unknown) =>
  fetch(`${ctx.url}${path}`, {
    method,
    headers: { ...AUTH, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

const source = `ci-${randomBytes(3).toString("hex")}`;
const repo = `acme/pub-${randomBytes(3).toString("hex")}`;
const sha = (n: number) => n.toString(16).padStart(40, "a");
/** Build n: about its build, naming a commit (mixed case, as a publisher may send it). */
const build = (n: number, extra: Record<string, unknown> = {}) => ({
  type: `custom.${source}.build.finished`,
  source,
  subject: `custom:${source}:build-${n}`,
  keys: [`github:commit:${repo.toUpperCase()}@${sha(n).toUpperCase()}`],
  data: { number: n, status: n % 2 ? "green" : "red" },
  idempotencyKey: `build-${n}`,
  ...extra,
});

describe("publishing events", () => {
  it("stores a batch once, links it by a rule, and tells a subscription and the stream once each", async () => {
    const rule = await api("POST", "/api/rules", {
      name: `${source}-commits`,
      on: `custom.${source}.*`,
      extract: { field: "payload.keys", pattern: "^github:commit:([^@]+@[0-9a-f]{40})$" },
      link: { to: "github:commit:$1", relation: "builds", confidence: 0.9 },
    });
    expect(rule.status).toBe(201);
    const sub = await api("POST", "/api/subscriptions", {
      name: `${source}-builds`,
      kind: "webhook",
      url: receiver.url(),
      types: [`custom.${source}.*`],
      allowUnknownTypes: true,
    });
    expect(sub.status).toBe(201);
    const stream = await openSse(`${ctx.url}/api/stream?types=custom.${source}.*`, AUTH);
    expect(stream.status).toBe(200);
    await stream.until(() => stream.retry !== undefined);

    // An invalid item refuses the whole batch, naming it; nothing is stored.
    const refused = await api("POST", "/api/events/batch", {
      events: [build(1), build(2, { type: `custom.someone-else.build` }), build(3, { keys: ["nope"] })],
    });
    expect(refused.status).toBe(400);
    expect(refused.json.problems).toEqual([
      expect.stringMatching(/^events\.1\.type: must be custom\./),
      expect.stringMatching(/^events\.2\.keys\.0: /),
    ]);

    const batch = await api("POST", "/api/events/batch", { events: [build(1), build(2), build(3)] });
    expect(batch.status).toBe(202);
    expect(batch.json).toMatchObject({ accepted: 3, duplicates: 0 });
    const ids: string[] = batch.json.items.map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(3);
    const one = await api("POST", "/api/events", { ...build(4), idempotencyKey: undefined, priority: "high" });
    expect(one.status).toBe(202);
    expect(one.json.duplicate).toBe(false);
    ids.push(one.json.id);

    // History: four events of platform custom, each with its stored raw delivery naming the publisher.
    const listed = await waitFor(async () => {
      const r = await api("GET", `/api/events?platform=custom&type=custom.${source}.*`);
      return r.json.items.length === 4 && r.json.items;
    });
    expect(listed.map((e: { id: string }) => e.id).sort()).toEqual([...ids].sort());
    const detail = await api("GET", `/api/events/${ids[0]}`);
    expect(detail.json.event).toMatchObject({
      platform: "custom",
      type: `custom.${source}.build.finished`,
      subject: `custom:${source}:build-1`,
      deliveryId: `${source}:build-1`,
      keys: [`custom:${source}:build-1`, `github:commit:${repo}@${sha(1)}`],
      priority: "normal",
      payload: { data: { number: 1, status: "green" } },
    });
    expect(detail.json.raw.headers[PUBLISHER_HEADER]).toBe(tokenId(API_TOKENS[0]!));
    expect(JSON.parse(detail.json.raw.body)).toEqual(build(1));
    expect((await api("GET", `/api/events/${one.json.id}`)).json.event.priority).toBe("high");

    // A repeat of the batch (same idempotency keys) is answered with the first ids, nothing new stored.
    const again = await api("POST", "/api/events/batch", { events: [build(1), build(2), build(3)] });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(again.json.items.map((i: { id: string }) => i.id)).toEqual(ids.slice(0, 3));
    // Past the queue's deduplication window (its key gone), the stored delivery still answers.
    const redis = new Redis(inject("redisUrl"));
    expect(await redis.del(`${ctx.config.REDIS_PREFIX}:ingest:de:custom:${source}:build-1`)).toBe(1);
    await redis.quit();
    const late = await api("POST", "/api/events", build(1));
    expect([late.status, late.json]).toEqual([200, { id: ids[0], duplicate: true }]);
    expect(
      await ctx.prisma.rawDelivery.count({ where: { platform: "custom", type: { startsWith: `custom.${source}.` } } }),
    ).toBe(4);

    // The graph: the custom rule linked each build to its commit, from the published keys.
    const entity = await waitFor(async () => {
      const r = await api("GET", `/api/entities/${encodeURIComponent(`custom:${source}:build-2`)}`);
      return r.status === 200 && r.json.links.length > 0 && r.json;
    });
    expect(entity.links).toContainEqual(
      expect.objectContaining({
        from: `custom:${source}:build-2`,
        to: `github:commit:${repo}@${sha(2)}`,
        relation: "builds",
        rule: `${source}-commits`,
      }),
    );

    // The subscription and the stream: each event once.
    await waitFor(async () => receiver.received.length >= 4 && stream.messages.length >= 4, 20_000);
    await sleep(1000); // time for a wrong repeat to arrive
    const secret = sub.json.secret as string;
    const sent = receiver.received.map(
      (r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as any,
    );
    expect(sent.map((m) => m.data.id).sort()).toEqual([...ids].sort());
    expect(sent.every((m) => m.type === `custom.${source}.build.finished`)).toBe(true);
    expect(stream.messages.map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(stream.messages.every((m) => m.event === `custom.${source}.build.finished`)).toBe(true);
    stream.close();
  }, 60_000);

  it("answers a repeat still in the queue as a duplicate of the first", async () => {
    const e = build(900, { idempotencyKey: `twice-${randomBytes(3).toString("hex")}` });
    const [a, b] = await Promise.all([api("POST", "/api/events", e), api("POST", "/api/events", e)]);
    expect([a.status, b.status].sort()).toEqual([200, 202]);
    expect(a.json.id).toBe(b.json.id);
  });

  it("has no webhook receiver, and answers a publish with a bad body or type 400", async () => {
    const res = await fetch(`${ctx.url}/webhooks/custom`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    const bad = await api("POST", "/api/events", { type: "github.push", source, data: {} });
    expect(bad.status).toBe(400);
    expect(bad.json.problems).toEqual([expect.stringMatching(/^type: must be custom\./)]);
    expect((await api("POST", "/api/events/batch", { events: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 501 }, (_, i) => build(i));
    expect((await api("POST", "/api/events/batch", { events: tooMany })).status).toBe(400);
  });
});
