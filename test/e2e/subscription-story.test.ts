import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { API_TOKENS, useIsolatedService, waitFor } from "../helpers/service.js";
import { startReceiver } from "../helpers/receiver.js";
import { post } from "../../kit/sign.js";
import { story } from "../helpers/story.js";
import { openSse } from "../helpers/sse.js";

/**
 * contract §9 end to end: the story's deliveries → graph → milestone in the outbox → relay → a signed
 * webhook to a subscription for `issue.shipped` where `environment` is `prod*`.
 */
const ctx = useIsolatedService({ OUTBOUND_ALLOW_PRIVATE: "true", WORKER_CONCURRENCY: "8" });
const receiver = await startReceiver(() => ({ status: 204 }));
afterAll(() => receiver.close());

describe("a subscription to what shipped to production", () => {
  it("gets exactly one signed message per (issue, production deploy), with the right data", async () => {
    const s = story(`sub${randomBytes(2).toString("hex")}`);
    const created = await fetch(`${ctx.url}/api/subscriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: `ship-notes-${s.repo.slice(-6)}`,
        kind: "webhook",
        url: receiver.url(),
        types: ["issue.shipped"],
        where: { environment: "prod*", repository: s.repo },
      }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    // The live stream of the same milestones, to compare envelopes.
    const sse = await openSse(`${ctx.url}/api/stream?types=issue.shipped&where.repository=${s.repo}`, {
      authorization: `Bearer ${API_TOKENS[0]}`,
    });
    await sse.until(() => sse.retry !== undefined);

    for (const step of s.steps) {
      const res = await post(`${ctx.url}/webhooks/${step.platform}`, await step.request());
      expect(res.status, step.name).toBe(202);
      await waitFor(() => ctx.prisma.event.findUnique({ where: { id: res.json.id }, select: { id: true } }));
    }
    await waitFor(async () => receiver.received.length >= 2, 20_000);
    await sleep(1500); // time for a wrong third message (staging, a repeat) to arrive

    const messages = receiver.received.map((r) => {
      const body = new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as any;
      return { id: r.headers["webhook-id"], ...body };
    });
    expect(messages).toHaveLength(2);
    expect(new Set(messages.map((m) => m.id)).size).toBe(2);
    const byEnvironment: Record<string, any> = Object.fromEntries(messages.map((m) => [m.data.environment, m]));
    expect(Object.keys(byEnvironment).sort()).toEqual(["production-eu", "production-us"]);
    for (const [environment, m] of Object.entries(byEnvironment)) {
      expect(m.type).toBe("issue.shipped");
      expect(m.data.repository).toBe(s.repo);
      expect(m.data.issue).toMatchObject({ key: `linear:issue:${s.issue}` });
      expect(m.data.issue.title).toBeTruthy();
      expect(m.data.deploy).toMatchObject({ environment, repository: s.repo, status: "succeeded" });
      expect(m.data.pullRequests.map((p: { key: string }) => p.key)).toEqual([`github:pr:${s.repo}#7`]);
    }
    expect(byEnvironment["production-eu"].data.deploy.key).toBe(`deploy:generic:${s.deploy("eu-1")}`);
    expect(byEnvironment["production-us"].data.deploy.key).toBe(`deploy:generic:${s.deploy("us-1")}`);

    // The envelope (docs/outbound.md): the issue's chain, caused by the milestone (its outbox row).
    const production = () => sse.messages.filter((m) => JSON.parse(m.data).environment.startsWith("production"));
    await sse.until(() => production().length >= 2, 20_000).finally(() => sse.close());
    const prod = production();
    expect(prod).toHaveLength(2);
    for (const m of messages) {
      const row = await ctx.prisma.outboundMessage.findUnique({ where: { id: m.id }, select: { outboxId: true } });
      expect(m).toMatchObject({ version: "1", correlationId: `linear:issue:${s.issue}`, causationId: row!.outboxId });
      const item = prod.find((i) => i.id === row!.outboxId);
      expect(JSON.parse(item!.data)).toMatchObject({
        version: "1",
        correlationId: `linear:issue:${s.issue}`,
        causationId: item!.id,
      });
    }
  }, 60_000);
});
