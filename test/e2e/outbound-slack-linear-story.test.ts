import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeLinear, type FakeLinear } from "../helpers/fake-linear.js";
import { startFakeSlack, type FakeSlack } from "../helpers/fake-slack.js";
import { API_TOKENS, isolatedDatabase, startTestService, testPrisma, waitFor } from "../helpers/service.js";
import { post } from "../../kit/sign.js";
import { story } from "../helpers/story.js";

/** The Slack and Linear senders through the service, on the demo story (alone: outbound-slack-linear.test.ts). */

describe("through the service: the demo story", () => {
  const s = story(`sl${Date.now().toString(36).slice(-4)}`);
  let svc: Awaited<ReturnType<typeof startTestService>>;
  // A schema of its own: the relay that numbers a row queues its messages on its own Redis prefix.
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let storyPrisma: ReturnType<typeof testPrisma>;
  let fakeSlack: FakeSlack;
  let fakeLinear: FakeLinear;
  const channel = `C${s.repo.slice(-6).toUpperCase()}`;
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${svc.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

  beforeAll(async () => {
    [fakeSlack, fakeLinear] = await Promise.all([startFakeSlack(), startFakeLinear()]);
    fakeLinear.states.set("team-story", [
      { id: "st-todo", name: "Todo" },
      { id: "st-done", name: "Done" },
    ]);
    fakeLinear.issues.set("uuid-story", {
      id: "uuid-story",
      identifier: s.issue,
      teamId: "team-story",
      stateId: "st-todo",
    });
    db = await isolatedDatabase();
    storyPrisma = testPrisma(db.url);
    svc = await startTestService({
      DATABASE_URL: db.url,
      SLACK_BOT_TOKEN: fakeSlack.token,
      SLACK_API_URL: fakeSlack.apiUrl,
      LINEAR_API_KEY: fakeLinear.apiKey,
      LINEAR_API_URL: fakeLinear.apiUrl,
      OUTBOUND_ALLOW_PRIVATE: "true",
      OUTBOUND_RETRY_SCHEDULE: "200ms,200ms,200ms",
      OUTBOUND_TIMEOUT_MS: "2000",
    });
    const where = { repository: s.repo };
    for (const sub of [
      {
        name: `slack-${channel.toLowerCase()}`,
        kind: "slack",
        channel,
        types: ["issue.shipped", "deploy.failed"],
        where,
      },
      { name: `linear-${channel.toLowerCase()}`, kind: "linear", moveTo: "Done", types: ["issue.shipped"], where },
    ]) {
      const created = await call("POST", "/api/subscriptions", sub);
      expect(created.status, JSON.stringify(created.json)).toBe(201);
    }
    // The first post and the first comment are made but their answers lost: the retries must find them.
    fakeSlack.trouble("chat.postMessage", { acceptThenFail: true });
    fakeLinear.loseNextComment("hang");
    for (const step of s.steps) {
      const res = await post(`${svc.url}/webhooks/${step.platform}`, await step.request());
      expect(res.status, step.name).toBe(202);
      await waitFor(() => storyPrisma.event.findUnique({ where: { id: res.json.id }, select: { id: true } }));
    }
  }, 90_000);
  afterAll(async () => {
    await svc?.service.close();
    await Promise.all([fakeSlack?.close(), fakeLinear?.close(), storyPrisma?.$disconnect()]);
    await db?.drop();
  });

  /** The subscription's messages once `count` succeeded, and time for any (wrong) further attempt. */
  const settled = async (name: string, count: number) => {
    await waitFor(async () => {
      const { json } = await call("GET", `/api/subscriptions/${name}/deliveries?status=succeeded`);
      return json.items.length >= count;
    }, 20_000);
    await sleep(600);
    return (await call("GET", `/api/subscriptions/${name}/deliveries`)).json.items;
  };

  it("posts each shipped issue and the failed deploy to Slack once, with links", async () => {
    const items = await settled(`slack-${channel.toLowerCase()}`, 4);
    expect(items).toHaveLength(4);
    expect(items.every((m: any) => m.status === "succeeded")).toBe(true);
    expect(items.some((m: any) => m.attempts === 2)).toBe(true);
    const texts = fakeSlack.posted.filter((m) => m.channel === channel).map((m) => m.text);
    const shippedTo = (env: string, id: string) =>
      `${s.issue} Checkout times out on slow networks shipped to ${env} by deploy ${s.deploy(id)} · PR #7`;
    expect(texts.sort()).toEqual(
      [
        shippedTo("staging", "stg-1"),
        shippedTo("production-us", "us-1"),
        shippedTo("production-eu", "eu-1"),
        `Deploy ${s.deploy("eu-2")} failed`,
      ].sort(),
    );
    const blocks = JSON.stringify(fakeSlack.posted.map((m) => m.blocks));
    expect(blocks).toContain(`<https://linear.app/acme/issue/${s.issue}/checkout|${s.issue} Checkout times out`);
    expect(blocks).toContain(`<https://github.com/${s.repo}/pull/7|PR #7>`);
  });

  it("comments on the Linear issue once per deploy and moves it to Done", async () => {
    const items = await settled(`linear-${channel.toLowerCase()}`, 3);
    expect(items).toHaveLength(3);
    expect(items.every((m: any) => m.status === "succeeded")).toBe(true);
    expect(items.some((m: any) => m.attempts === 2)).toBe(true);
    const bodies = fakeLinear.comments.filter((c) => c.issueId === "uuid-story").map((c) => c.body);
    expect(bodies).toHaveLength(3);
    for (const id of ["stg-1", "us-1", "eu-1"])
      expect(
        bodies.filter((b) => b.includes(`deploy [${s.deploy(id)}](https://ci.example.com/deploys/${s.deploy(id)})`)),
      ).toHaveLength(1);
    expect(fakeLinear.issues.get("uuid-story")!.stateId).toBe("st-done");
  });
});
