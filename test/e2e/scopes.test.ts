import { describe, expect, it } from "vitest";
import { API_TOKENS, useIsolatedService } from "../helpers/service.js";
import { checkAnswer } from "../helpers/answers.js";

// Scoped tokens (issue 18), beside the helpers' unscoped ones; rules change here, so on a schema of its own.
const READ = "read-token-0123456789abcdef0123456789";
const WRITE = "write-token-0123456789abcdef0123456789";
const PUBLISH = "publish-token-0123456789abcdef01234567";
const ADMIN = "admin-token-0123456789abcdef0123456789";
const UNSCOPED = API_TOKENS[0]!;
const ctx = useIsolatedService({
  API_TOKENS: [
    ...API_TOKENS,
    `dash:${READ}:read`,
    `ci:${WRITE}:read,write`,
    `pub:${PUBLISH}:publish`,
    `ops:${ADMIN}:admin`,
  ].join(","),
});

const call = async (token: string, method: string, path: string, body?: unknown) => {
  const r = await fetch(`${ctx.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = r.status === 204 ? null : ((await r.json()) as any);
  checkAnswer(method, path, r.status, json ?? undefined);
  return { status: r.status, json };
};

const rule = (name: string, confidence = 0.8) => ({
  name,
  on: "github.pull_request.*",
  extract: { field: "payload.pull_request.title", pattern: "\\b(OPS-[0-9]+)\\b" },
  link: { to: "linear:issue:$1", relation: "references", confidence },
});

describe("scoped API tokens", () => {
  it("a read token can look at rules but cannot change one: 403 naming the scope, the rule unchanged", async () => {
    expect((await call(UNSCOPED, "POST", "/api/rules", rule("scoped-kept"))).status).toBe(201);
    const before = (await call(READ, "GET", "/api/rules/scoped-kept")).json;
    expect(before).toMatchObject({ name: "scoped-kept", version: 1, enabled: true });
    expect((await call(READ, "GET", "/api/rules")).status).toBe(200);

    for (const [method, path, body] of [
      ["PUT", "/api/rules/scoped-kept", rule("scoped-kept", 0.3)],
      ["PUT", "/api/rules/scoped-kept", { enabled: false }],
      ["DELETE", "/api/rules/scoped-kept", undefined],
      ["POST", "/api/rules", rule("scoped-new")],
    ] as const) {
      const refused = await call(READ, method, path, body);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.json.error).toBe("this token lacks the write scope");
    }
    expect((await call(READ, "GET", "/api/rules/scoped-kept")).json).toEqual(before);
    expect((await call(READ, "GET", "/api/rules/scoped-new")).status).toBe(404);
  });

  it("a write token changes rules; it is no admin", async () => {
    expect((await call(WRITE, "POST", "/api/rules", rule("scoped-written"))).status).toBe(201);
    const changed = await call(WRITE, "PUT", "/api/rules/scoped-written", rule("scoped-written", 0.5));
    expect(changed).toMatchObject({ status: 200, json: { version: 2 } });
    expect((await call(WRITE, "DELETE", "/api/rules/scoped-written")).status).toBe(204);
    // Queue operations and imports operate the service: admin only.
    const retry = await call(WRITE, "POST", "/api/queue/failed/1/retry");
    expect(retry).toMatchObject({ status: 403, json: { error: "this token lacks the admin scope" } });
    expect((await call(WRITE, "POST", "/api/imports", { platform: "github" })).status).toBe(403);
  });

  it("a github-dispatch subscription, which spends the service's GitHub token, needs admin", async () => {
    const dispatch = (name: string) => ({
      name,
      kind: "github-dispatch",
      types: ["deploy.*"],
      repository: "acme/ci",
      eventType: "shipped",
    });
    const refused = await call(WRITE, "POST", "/api/subscriptions", dispatch("ci-by-write"));
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatch(/admin scope/);
    expect((await call(WRITE, "GET", "/api/subscriptions/ci-by-write")).status).toBe(404);
    expect((await call(ADMIN, "POST", "/api/subscriptions", dispatch("ci-by-admin"))).status).toBe(201);
    for (const [method, path, body] of [
      ["PUT", "/api/subscriptions/ci-by-admin", { repository: "acme/other" }],
      ["POST", "/api/subscriptions/ci-by-admin/test", undefined],
    ] as const)
      expect((await call(WRITE, method, path, body)).status, `${method} ${path}`).toBe(403);
    expect((await call(WRITE, "GET", "/api/subscriptions/ci-by-admin")).json).toMatchObject({ repository: "acme/ci" });
    // A webhook subscription stays a write token's to make.
    const webhook = { name: "hook-by-write", kind: "webhook", url: "https://example.com/hook", types: ["deploy.*"] };
    expect((await call(WRITE, "POST", "/api/subscriptions", webhook)).status).toBe(201);
  });

  it("an unscoped token and an admin token may do everything", async () => {
    for (const token of [UNSCOPED, ADMIN]) {
      expect((await call(token, "GET", "/api/events?limit=1")).status).toBe(200);
      expect((await call(token, "POST", "/api/rules", rule("scoped-all"))).status).toBe(201);
      expect((await call(token, "DELETE", "/api/rules/scoped-all")).status).toBe(204);
      expect((await call(token, "POST", "/api/queue/failed/1/retry")).status).toBe(404); // past the scope check
    }
  });

  it("a publish-only token reads nothing", async () => {
    const events = await call(PUBLISH, "GET", "/api/events");
    expect(events).toMatchObject({ status: 403, json: { error: "this token lacks the read scope" } });
    expect((await call(PUBLISH, "GET", "/api/rules")).status).toBe(403);
    const stream = await fetch(`${ctx.url}/api/stream`, { headers: { authorization: `Bearer ${PUBLISH}` } });
    expect(stream.status).toBe(403);
  });

  it("GET /api/token tells any valid token its name and scopes, never its secret", async () => {
    const expected: [string, unknown][] = [
      [READ, { name: "dash", scopes: ["read"], can: { read: true, write: false, publish: false, admin: false } }],
      [
        WRITE,
        { name: "ci", scopes: ["read", "write"], can: { read: true, write: true, publish: false, admin: false } },
      ],
      [PUBLISH, { name: "pub", scopes: ["publish"], can: { read: false, write: false, publish: true, admin: false } }],
      [ADMIN, { name: "ops", scopes: ["admin"], can: { read: true, write: true, publish: true, admin: true } }],
      [UNSCOPED, { name: null, scopes: null, can: { read: true, write: true, publish: true, admin: true } }],
    ];
    for (const [token, answer] of expected) {
      const res = await fetch(`${ctx.url}/api/token`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(token);
      const body = JSON.parse(text);
      checkAnswer("GET", "/api/token", 200, body);
      expect(body).toMatchObject(answer as object);
      expect(body.id).toMatch(/^[0-9a-f]{12}$/);
    }
    expect((await fetch(`${ctx.url}/api/token`)).status).toBe(401);
  });

  it("/admin/queues opens to admin and unscoped tokens only", async () => {
    const board = (token: string) =>
      fetch(`${ctx.url}/admin/queues/api/queues`, {
        headers: { authorization: `Basic ${Buffer.from(`x:${token}`).toString("base64")}` },
      });
    for (const token of [READ, WRITE, PUBLISH]) {
      const res = await board(token);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: "this token lacks the admin scope" });
    }
    for (const token of [ADMIN, UNSCOPED]) expect((await board(token)).status).toBe(200);
  });
});
