import { randomBytes, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "../helpers/receiver.js";
import { API_TOKENS, useTestService, waitFor } from "../helpers/service.js";
import { checkAnswer } from "../helpers/answers.js";

const ctx = useTestService({ OUTBOUND_ALLOW_PRIVATE: "true", OUTBOUND_RETRY_SCHEDULE: "50ms,50ms,50ms" });
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${ctx.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
    .then(async (r) => ({ status: r.status, text: r.status === 204 ? "" : await r.text() }))
    .then((r) => ({ ...r, json: r.text ? (JSON.parse(r.text) as any) : null }))
    .then((r) => (checkAnswer(method, path, r.status, r.json ?? undefined), r));

const unique = () => randomUUID().slice(0, 8);
const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;
const webhook = (over: Record<string, unknown> = {}) => ({
  name: `hooks-${unique()}`,
  kind: "webhook",
  url: receiver.url(),
  types: ["switchyard.test"],
  ...over,
});

const dispatch = (over: Record<string, unknown> = {}) => ({
  name: `ci-${unique()}`,
  kind: "github-dispatch",
  repository: "acme/deployer",
  eventType: "switchyard-shipped",
  types: ["deploy.*"],
  ...over,
});

describe("subscriptions API", () => {
  it("creates a webhook subscription and shows its generated secret once", async () => {
    const def = webhook({
      types: ["issue.shipped", "deploy.*"],
      where: { environment: "prod*", repository: "acme/*" },
    });
    const created = await call("POST", "/api/subscriptions", def);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: def.name,
      kind: "webhook",
      url: def.url,
      types: ["issue.shipped", "deploy.*"],
      where: { environment: "prod*", repository: "acme/*" },
      enabled: true,
      disabledReason: null,
      failingSince: null,
      secretCount: 1,
    });
    const secret = created.json.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);

    const one = await call("GET", `/api/subscriptions/${def.name}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ name: def.name, secretCount: 1 });
    const list = await call("GET", "/api/subscriptions");
    expect(list.status).toBe(200);
    expect(list.json.items.map((s: any) => s.name)).toContain(def.name);
    // Never again: not in the answer, not under any field.
    for (const r of [one, list]) {
      expect(r.text).not.toContain(secret.slice(6, 30));
      expect(r.text).not.toMatch(/whsec_|"secrets?"/);
    }

    // A second POST of the name is a conflict, and does not echo the secret either.
    const again = await call("POST", "/api/subscriptions", { ...def, secret });
    expect(again.status).toBe(409);
    expect(again.text).not.toContain(secret);
  });

  it("keeps a given secret without echoing it", async () => {
    const secret = newSecret();
    const created = await call("POST", "/api/subscriptions", webhook({ secret }));
    expect(created.status).toBe(201);
    expect(created.json.secret).toBeUndefined();
    expect(created.text).not.toContain(secret);
  });

  it("creates Slack and Linear subscriptions, without secrets", async () => {
    const slack = await call("POST", "/api/subscriptions", {
      name: `slack-${unique()}`,
      kind: "slack",
      channel: "C0DEPLOYS",
      types: ["pr.shipped"],
    });
    expect(slack.status).toBe(201);
    expect(slack.json).toMatchObject({ kind: "slack", channel: "C0DEPLOYS" });
    expect(slack.json.secret).toBeUndefined();
    expect(slack.json.url).toBeUndefined();
    const linear = await call("POST", "/api/subscriptions", {
      name: `linear-${unique()}`,
      kind: "linear",
      moveTo: "Done",
      types: ["issue.shipped"],
      enabled: false,
    });
    expect(linear.status).toBe(201);
    expect(linear.json).toMatchObject({ kind: "linear", moveTo: "Done", enabled: false });
  });

  it("creates github-dispatch subscriptions: repository_dispatch or workflow_dispatch, without secrets", async () => {
    const repo = await call("POST", "/api/subscriptions", dispatch());
    expect(repo.status, repo.text).toBe(201);
    expect(repo.json).toMatchObject({
      kind: "github-dispatch",
      repository: "acme/deployer",
      eventType: "switchyard-shipped",
    });
    expect(repo.json.secret).toBeUndefined();
    const workflow = await call(
      "POST",
      "/api/subscriptions",
      dispatch({ eventType: undefined, workflow: "ship.yml", ref: "main" }),
    );
    expect(workflow.status, workflow.text).toBe(201);
    expect(workflow.json).toMatchObject({ repository: "acme/deployer", workflow: "ship.yml", ref: "main" });
    expect(workflow.json.eventType).toBeUndefined();
  });

  it("refuses invalid definitions with a clear 400", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...webhook(), colour: "red" }, /unknown field\(s\) for a webhook subscription: colour/],
      [{ ...webhook(), url: undefined }, /^url: /m],
      [webhook({ url: "ftp://example.com/x" }), /url: must be an http or https URL/],
      [webhook({ url: "not a url" }), /url: must be an http or https URL/],
      [webhook({ name: "Bad Name" }), /name: lower-case letters, digits and dashes/],
      [webhook({ name: "x" }), /name: /],
      [webhook({ types: [] }), /types: list at least one type/],
      [webhook({ types: "deploy.*" }), /types: /],
      [webhook({ types: [""] }), /types\.0: must not be empty/],
      [webhook({ where: { branch: "main" } }), /where: only environment, repository and platform/],
      [webhook({ where: { environment: 5 } }), /where\.environment: /],
      [webhook({ secret: "not-whsec" }), /secret: must be whsec_/],
      [webhook({ secret: `whsec_${Buffer.alloc(8).toString("base64")}` }), /secret: must be whsec_ .* 24 to 64/],
      [webhook({ secrets: [] }), /secrets: at least one secret/],
      [webhook({ secret: newSecret(), secrets: [newSecret()] }), /secrets: give secret or secrets, not both/],
      [webhook({ enabled: "yes" }), /enabled: /],
      [{ ...webhook(), kind: "email" }, /kind: must be one of webhook, slack, linear, github-dispatch/],
      [{ name: `s-${unique()}`, kind: "slack", types: ["*"] }, /channel: /],
      [
        { name: `s-${unique()}`, kind: "slack", types: ["*"], channel: "C1", url: receiver.url() },
        /unknown field\(s\) for a slack subscription: url/,
      ],
      [
        { name: `l-${unique()}`, kind: "linear", types: ["*"], secret: newSecret() },
        /unknown field\(s\) for a linear subscription: secret/,
      ],
      [{ ...dispatch(), repository: undefined }, /^repository: /m],
      [dispatch({ repository: "acme" }), /repository: must be owner\/name/],
      [dispatch({ repository: "https://github.com/acme/web" }), /repository: must be owner\/name/],
      [dispatch({ eventType: undefined }), /eventType: give eventType \(repository_dispatch\), or workflow and ref/],
      [
        dispatch({ workflow: "ship.yml", ref: "main" }),
        /eventType: give eventType \(repository_dispatch\), or workflow/,
      ],
      [dispatch({ eventType: undefined, workflow: "ship.yml" }), /ref: workflow_dispatch needs both workflow and ref/],
      [dispatch({ eventType: undefined, ref: "main" }), /ref: workflow_dispatch needs both workflow and ref/],
      [dispatch({ eventType: "x".repeat(101) }), /eventType: /],
      [dispatch({ channel: "C1" }), /unknown field\(s\) for a github-dispatch subscription: channel/],
    ];
    for (const [body, message] of cases) {
      const r = await call("POST", "/api/subscriptions", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error, JSON.stringify(body)).toMatch(message);
      // A refused secret is never quoted back.
      if (typeof body.secret === "string") expect(r.text).not.toContain(body.secret);
    }
    const notJson = await call("POST", "/api/subscriptions", [1, 2]);
    expect(notJson.status).toBe(400);
  });

  it("updates with PUT: the fields given, the secrets kept unless given", async () => {
    const def = webhook();
    const created = await call("POST", "/api/subscriptions", def);
    const put = await call("PUT", `/api/subscriptions/${def.name}`, {
      types: ["deploy.*"],
      where: { platform: "deploy" },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      name: def.name,
      url: def.url,
      types: ["deploy.*"],
      where: { platform: "deploy" },
      secretCount: 1,
    });
    expect(put.json.secret).toBeUndefined();
    expect(put.text).not.toContain(created.json.secret);

    expect((await call("PUT", `/api/subscriptions/${def.name}`, { enabled: false })).json.enabled).toBe(false);
    expect((await call("PUT", `/api/subscriptions/${def.name}`, { name: "other-name" })).status).toBe(400);
    expect((await call("PUT", `/api/subscriptions/${def.name}`, { url: "file:///etc/passwd" })).status).toBe(400);
    expect((await call("PUT", `/api/subscriptions/${def.name}`, { color: "red" })).json.error).toMatch(/unknown field/);
    expect((await call("PUT", `/api/subscriptions/no-such-${unique()}`, { enabled: true })).status).toBe(404);

    // Another kind: the webhook's URL goes, the channel is required.
    expect((await call("PUT", `/api/subscriptions/${def.name}`, { kind: "slack" })).json.error).toMatch(/channel/);
    const slack = await call("PUT", `/api/subscriptions/${def.name}`, { kind: "slack", channel: "C1" });
    expect(slack.status).toBe(200);
    expect(slack.json).toMatchObject({ kind: "slack", channel: "C1" });
    expect(slack.json.url).toBeUndefined();
  });

  it("deletes, and answers 404 for unknown names on every route", async () => {
    const def = webhook();
    await call("POST", "/api/subscriptions", def);
    expect((await call("DELETE", `/api/subscriptions/${def.name}`)).status).toBe(204);
    expect((await call("DELETE", `/api/subscriptions/${def.name}`)).status).toBe(404);
    const id = randomUUID();
    for (const [method, path] of [
      ["GET", `/api/subscriptions/${def.name}`],
      ["PUT", `/api/subscriptions/${def.name}`],
      ["POST", `/api/subscriptions/${def.name}/test`],
      ["GET", `/api/subscriptions/${def.name}/deliveries`],
      ["GET", `/api/subscriptions/${def.name}/deliveries/${id}`],
      ["POST", `/api/subscriptions/${def.name}/deliveries/${id}/retry`],
    ]) {
      const r = await call(method!, path!, method === "PUT" ? { enabled: true } : undefined);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.json.error).toBe("no such subscription");
    }
    expect((await call("GET", `/api/subscriptions/${webhook().name}/deliveries/not-a-uuid`)).status).toBe(400);
    expect((await call("GET", `/api/subscriptions/${def.name}/deliveries?status=lost`)).status).toBe(400);
  });

  it("rotates: two secrets sign each message twice, each signature verifying", async () => {
    const [oldSecret, newer] = [newSecret(), newSecret()];
    const def = webhook({ secret: oldSecret });
    await call("POST", "/api/subscriptions", def);
    const put = await call("PUT", `/api/subscriptions/${def.name}`, { secrets: [newer, oldSecret] });
    expect(put.status).toBe(200);
    expect(put.json.secretCount).toBe(2);
    expect(put.text).not.toContain(newer);

    const test = await call("POST", `/api/subscriptions/${def.name}/test`);
    expect(test.status).toBe(202);
    const got = await waitFor(async () => receiver.received.find((r) => r.headers["webhook-id"] === test.json.id));
    const signatures = String(got.headers["webhook-signature"]).split(" ");
    expect(signatures).toHaveLength(2);
    for (const [i, secret] of [newer, oldSecret].entries()) {
      const headers = { ...(got.headers as Record<string, string>), "webhook-signature": signatures[i]! };
      expect(new Webhook(secret).verify(got.body, headers)).toMatchObject({ type: "switchyard.test" });
      expect(() =>
        new Webhook(secret).verify(got.body, { ...headers, "webhook-signature": signatures[1 - i]! }),
      ).toThrow();
    }
    expect(() => new Webhook(newSecret()).verify(got.body, got.headers as Record<string, string>)).toThrow();
  });

  it("sends a signed switchyard.test from the test endpoint, listed in deliveries", async () => {
    const secret = newSecret();
    const def = webhook({ secret });
    await call("POST", "/api/subscriptions", def);
    const test = await call("POST", `/api/subscriptions/${def.name}/test`);
    expect(test.status).toBe(202);
    expect(test.json.status).toBe(`/api/subscriptions/${def.name}/deliveries/${test.json.id}`);
    const got = await waitFor(async () => receiver.received.find((r) => r.headers["webhook-id"] === test.json.id));
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["user-agent"]).toBe("Switchyard-Webhooks/1");
    const body = new Webhook(secret).verify(got.body, got.headers as Record<string, string>) as any;
    expect(body).toMatchObject({ type: "switchyard.test", data: { subscription: def.name } });
    expect(Date.parse(body.timestamp)).toBeGreaterThan(Date.now() - 60_000);

    const one = await waitFor(async () => {
      const r = await call("GET", test.json.status);
      return r.json.status === "succeeded" && r;
    });
    expect(one.json).toMatchObject({
      id: test.json.id,
      type: "switchyard.test",
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(one.json.payload).toEqual(body);
    expect(one.json.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200, error: null, response: "answered 200" }),
    ]);
    expect(one.json.attemptLog[0].latencyMs).toBeGreaterThanOrEqual(0);

    const list = await call("GET", `/api/subscriptions/${def.name}/deliveries?status=succeeded`);
    expect(list.json.items).toEqual([
      expect.objectContaining({
        id: test.json.id,
        type: "switchyard.test",
        status: "succeeded",
        attempts: 1,
        nextAttemptAt: null,
      }),
    ]);
    expect(list.json.items[0].attemptLog).toBeUndefined();
    const withLog = await call("GET", `/api/subscriptions/${def.name}/deliveries?attemptLog=true`);
    expect(withLog.json.items[0].attemptLog).toHaveLength(1);
    expect((await call("GET", `/api/subscriptions/${def.name}/deliveries?status=dead`)).json.items).toEqual([]);
    // Retrying a message that succeeded is refused.
    expect((await call("POST", `${test.json.status}/retry`)).status).toBe(409);
  });

  it("pages deliveries newest first with a cursor", async () => {
    const def = webhook();
    await call("POST", "/api/subscriptions", def);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await call("POST", `/api/subscriptions/${def.name}/test`)).json.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call(
        "GET",
        `/api/subscriptions/${def.name}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.status).toBe(200);
      expect(page.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.items.map((m: any) => m.id));
      cursor = page.json.next;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await call("GET", `/api/subscriptions/${def.name}/deliveries?cursor=nonsense`)).status).toBe(400);
  });

  it("refuses a test message for a disabled subscription", async () => {
    const def = webhook({ enabled: false });
    await call("POST", "/api/subscriptions", def);
    const r = await call("POST", `/api/subscriptions/${def.name}/test`);
    expect(r.status).toBe(409);
    expect(r.json.error).toMatch(/disabled/);
  });
});
