import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { startPrivateRedis } from "../helpers/private-redis.js";
import { SECRETS, startTestService, useTestService, useTestPrisma, waitFor } from "../helpers/service.js";
import { deployRequest, githubRequest, linearRequest, post, slackRequest, type SignedRequest } from "../../kit/sign.js";

const ctx = useTestService({ WEBHOOK_MAX_BYTES: "4096" });
const prisma = useTestPrisma();
const ping = {
  zen: "Keep it logically awesome.",
  hook_id: 1,
  repository: { full_name: "acme/web" },
  sender: { login: "octocat" },
};
const slackEvent = (id = `Ev${randomUUID()}`) =>
  JSON.stringify({
    type: "event_callback",
    team_id: "T1",
    event_id: id,
    event_time: 1763795000,
    event: { type: "app_mention", channel: "C1", ts: "1763795000.000100", user: "U1", text: "hi" },
  });
const linearIssue = {
  action: "create",
  type: "Issue",
  data: { id: randomUUID(), identifier: "ENG-7", number: 7, title: "t", team: { key: "ENG" } },
  actor: { name: "a" },
};
const deployBody = {
  id: "d1",
  repository: "acme/web",
  environment: "production",
  status: "succeeded",
  sha: "b".repeat(40),
};

const send = (platform: string, req: SignedRequest) => post(`${ctx.url}/webhooks/${platform}`, req);
const without = (req: SignedRequest, name: string): SignedRequest => {
  const headers = { ...req.headers };
  delete headers[name];
  return { ...req, headers };
};

describe("signatures and secrets", () => {
  it("refuses a bad signature and a wrong secret with 401, on every receiver", async () => {
    const gh = await githubRequest("ping", ping, "not-the-secret");
    expect(await send("github", gh)).toMatchObject({ status: 401, json: { error: expect.any(String) } });
    const tampered = await githubRequest("ping", ping, SECRETS.github[0]!);
    expect((await send("github", { ...tampered, body: tampered.body.replace("awesome", "AWESOME") })).status).toBe(401);
    expect((await send("slack", slackRequest(slackEvent(), "application/json", "wrong"))).status).toBe(401);
    expect((await send("linear", linearRequest(linearIssue, "wrong"))).status).toBe(401);
    const wrongDeploySecret = `whsec_${Buffer.from("some-other-secret-entirely-here!").toString("base64")}`;
    expect((await send("deploy", deployRequest(deployBody, wrongDeploySecret))).status).toBe(401);
  });

  it("accepts the rotated (second) secret on every receiver", async () => {
    expect((await send("github", await githubRequest("ping", ping, SECRETS.github[1]!))).status).toBe(202);
    expect((await send("slack", slackRequest(slackEvent(), "application/json", SECRETS.slack[1]!))).status).toBe(202);
    expect(
      (
        await send(
          "linear",
          linearRequest({ ...linearIssue, data: { ...linearIssue.data, id: randomUUID() } }, SECRETS.linear[1]!),
        )
      ).status,
    ).toBe(202);
    expect((await send("deploy", deployRequest({ ...deployBody, id: randomUUID() }, SECRETS.deploy[1]!))).status).toBe(
      202,
    );
  });

  it("never echoes a secret in an error", async () => {
    const res = await send("github", await githubRequest("ping", ping, "nope"));
    for (const s of Object.values(SECRETS).flat()) expect(res.text).not.toContain(s);
  });
});

describe("replay windows", () => {
  it("refuses Slack timestamps older or newer than 300 s", async () => {
    // Margins of 10 s keep the checks clear of the boundary on a slow machine.
    const now = Math.floor(Date.now() / 1000);
    expect(
      (await send("slack", slackRequest(slackEvent(), "application/json", SECRETS.slack[0]!, now - 310))).status,
    ).toBe(401);
    expect(
      (await send("slack", slackRequest(slackEvent(), "application/json", SECRETS.slack[0]!, now + 310))).status,
    ).toBe(401);
    expect(
      (await send("slack", slackRequest(slackEvent(), "application/json", SECRETS.slack[0]!, now - 200))).status,
    ).toBe(202);
  });
  it("refuses Linear webhookTimestamp outside ±60 s", async () => {
    expect(
      (await send("linear", linearRequest(linearIssue, SECRETS.linear[0]!, randomUUID(), Date.now() - 70_000))).status,
    ).toBe(401);
    expect(
      (await send("linear", linearRequest(linearIssue, SECRETS.linear[0]!, randomUUID(), Date.now() + 70_000))).status,
    ).toBe(401);
  });
  it("refuses Standard Webhooks timestamps outside ±300 s", async () => {
    // The header has whole seconds: 310 s stays outside the window whatever the sub-second part.
    expect(
      (await send("deploy", deployRequest(deployBody, SECRETS.deploy[0]!, "msg_old", new Date(Date.now() - 310_000))))
        .status,
    ).toBe(401);
    expect(
      (await send("deploy", deployRequest(deployBody, SECRETS.deploy[0]!, "msg_new", new Date(Date.now() + 310_000))))
        .status,
    ).toBe(401);
  });
});

describe("malformed requests", () => {
  it("answers 400 naming each missing header", async () => {
    const gh = await githubRequest("ping", ping, SECRETS.github[0]!);
    for (const h of ["x-github-event", "x-github-delivery", "x-hub-signature-256"]) {
      const res = await send("github", without(gh, h));
      expect(res.status).toBe(400);
      expect(res.json.error.toLowerCase()).toContain(h);
    }
    const sl = slackRequest(slackEvent(), "application/json", SECRETS.slack[0]!);
    for (const h of ["x-slack-signature", "x-slack-request-timestamp"])
      expect((await send("slack", without(sl, h))).status).toBe(400);
    const li = linearRequest(linearIssue, SECRETS.linear[0]!);
    for (const h of ["linear-signature", "linear-delivery"])
      expect((await send("linear", without(li, h))).status).toBe(400);
    const de = deployRequest(deployBody, SECRETS.deploy[0]!);
    for (const h of ["webhook-id", "webhook-timestamp", "webhook-signature"])
      expect((await send("deploy", without(de, h))).status).toBe(400);
  });

  it("answers 400 to a correctly signed body that is not JSON", async () => {
    const { sign } = await import("@octokit/webhooks-methods");
    const body = "{not json";
    const gh = await githubRequest("ping", ping, SECRETS.github[0]!);
    const res = await send("github", {
      body,
      headers: { ...gh.headers, "x-hub-signature-256": await sign(SECRETS.github[0]!, body) },
    });
    expect(res).toMatchObject({ status: 400, json: { error: "body is not a JSON object" } });
    expect((await send("slack", slackRequest(body, "application/json", SECRETS.slack[0]!))).status).toBe(400);
  });

  it("answers 413 above WEBHOOK_MAX_BYTES, 415 to a wrong content type, 404 to an unknown route", async () => {
    const big = await githubRequest("ping", { ...ping, zen: "x".repeat(5000) }, SECRETS.github[0]!);
    expect((await send("github", big)).status).toBe(413);
    const gh = await githubRequest("ping", ping, SECRETS.github[0]!);
    const res = await send("github", { ...gh, headers: { ...gh.headers, "content-type": "text/plain" } });
    expect(res.status).toBe(415);
    expect((await send("bitbucket", gh)).status).toBe(404);
  });
});

describe("deduplication", () => {
  it("stores a redelivery once and answers 200 duplicate with the first id", async () => {
    const deliveryId = randomUUID();
    const first = await send("github", await githubRequest("ping", ping, SECRETS.github[0]!, deliveryId));
    const again = await send("github", await githubRequest("ping", ping, SECRETS.github[0]!, deliveryId));
    expect(first).toMatchObject({ status: 202, json: { duplicate: false } });
    expect(again).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true } });
    await waitFor(() => prisma.event.findUnique({ where: { id: first.json.id } }));
    expect(await prisma.event.count({ where: { platform: "github", deliveryId } })).toBe(1);
  });

  it("holds across server instances (the seen ids live in Redis)", async () => {
    const deliveryId = randomUUID();
    const first = await send("github", await githubRequest("ping", ping, SECRETS.github[0]!, deliveryId));
    const other = await startTestService({ REDIS_PREFIX: ctx.config.REDIS_PREFIX, ROLE: "web" });
    try {
      const again = await post(
        `${other.url}/webhooks/github`,
        await githubRequest("ping", ping, SECRETS.github[0]!, deliveryId),
      );
      expect(again).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true } });
    } finally {
      await other.service.close();
    }
  });
});

describe("not configured", () => {
  it("answers 503 for a platform without a secret", async () => {
    const bare = await startTestService({ GITHUB_WEBHOOK_SECRET: "", ROLE: "web" });
    try {
      const res = await post(`${bare.url}/webhooks/github`, await githubRequest("ping", ping, SECRETS.github[0]!));
      expect(res).toMatchObject({ status: 503, json: { error: "github receiver not configured" } });
    } finally {
      await bare.service.close();
    }
  });
});

describe("queue unreachable", () => {
  it("answers 503 within a second while Redis is down, stores nothing, and accepts the retry", async () => {
    const redis = await startPrivateRedis();
    const svc = await startTestService({ REDIS_URL: redis.url });
    try {
      const deliveryId = randomUUID();
      const ok = await post(`${svc.url}/webhooks/github`, await githubRequest("ping", ping, SECRETS.github[0]!));
      expect(ok.status).toBe(202);
      await redis.stop();
      const started = Date.now();
      const down = await post(
        `${svc.url}/webhooks/github`,
        await githubRequest("ping", ping, SECRETS.github[0]!, deliveryId),
      );
      expect(Date.now() - started).toBeLessThan(1000);
      expect(down).toMatchObject({ status: 503, json: { error: expect.stringMatching(/queue unavailable/) } });
      await new Promise((r) => setTimeout(r, 300));
      expect(await prisma.event.count({ where: { platform: "github", deliveryId } })).toBe(0);
      // The sender retries once Redis is back: accepted and stored exactly once.
      await redis.start();
      const retried = await waitFor(async () => {
        const r = await post(
          `${svc.url}/webhooks/github`,
          await githubRequest("ping", ping, SECRETS.github[0]!, deliveryId),
        );
        return r.status === 202 ? r : null;
      });
      await waitFor(() => prisma.event.findUnique({ where: { id: retried.json.id } }));
      expect(await prisma.event.count({ where: { platform: "github", deliveryId } })).toBe(1);
    } finally {
      await svc.service.close();
      await redis.stop();
    }
  });
});
