import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { canonicalPath } from "../../src/http/request-path.js";
import { API_TOKENS, useTestService } from "../helpers/service.js";

/**
 * Authentication comes before routing (issue 21, CWE-178): every route of the OpenAPI document,
 * in every spelling a router, a proxy or a browser might treat as the same path, answers 401 or
 * 404 without a token, and a wrong spelling never reaches a handler even with one.
 */

// Hundreds of unauthenticated calls from one address: the brake on failures is tested below.
const ctx = useTestService({ ROLE: "web", AUTH_FAILURES_MAX: "100000" });
const limited = useTestService({ ROLE: "web", AUTH_FAILURES_MAX: "3", AUTH_FAILURES_WINDOW_S: "60" });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Raw HTTP: fetch would resolve `..`, `//` and case-fold nothing, but it rewrites the path; this sends it byte for
 * byte.
 */
function call(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on("error", (err) => reject(new Error(`${method} ${path}: ${err.message}`)));
    req.end();
  });
}

/** `/api/entities/{key}` with a value in each parameter. */
const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => `sample-${name}`);

/** The ways to write `/api/…` that name the same resource to someone, and must not get past the guard. */
function spellings(path: string): string[] {
  const rest = path.slice("/api".length); // "/events", "/entities/sample-key"
  const first = rest.slice(1, 2);
  return [
    path,
    `/API${rest}`,
    `/Api${rest}`,
    path.toUpperCase(),
    `${path}/`,
    `/${path}`,
    `/api/${rest}`,
    `/%61pi${rest}`,
    `/%41PI${rest}`,
    `/api/%${first.charCodeAt(0).toString(16)}${rest.slice(2)}`,
    `/%2561pi${rest}`, // encoded twice
    `/api%2F${rest.slice(1)}`,
    `/x/..${path}`,
    `/api/.${rest}`,
    `/webhooks/..${path}`,
    `/x%2F..%2F${path.slice(1)}`,
    `\\api${rest}`,
    `${path}/..%2F..`, // decodes to `/`, but the router still sees /api (reviewer's finding)
    `${path}/..%5C..`,
    `${path}/..%252F..`,
  ];
}

let routes: Array<{ method: string; path: string }> = [];

describe("no route answers without a token, in any spelling", () => {
  it("reads every operation of the OpenAPI document", async () => {
    const res = await fetch(`${ctx.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (Array.isArray(op.security) && op.security.length === 0) continue; // the document itself
        routes.push({ method: method.toUpperCase(), path: concrete(path) });
      }
    }
    // The API's reads and writes, bodiless writes (delete, test, retry, reprocess, backfill) included.
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.map((r) => r.method)).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "DELETE"]));
    routes = [...routes, ...routes.filter((r) => r.method === "GET").map((r) => ({ ...r, method: "HEAD" }))];
  });

  it("answers 401 (or 404) to every spelling without a token or with a wrong one", async () => {
    const leaks: string[] = [];
    for (const { method, path } of routes) {
      for (const spelled of spellings(path)) {
        // Node's parser refuses a `\` before routing (400); its raw answer has a body a HEAD client chokes on.
        if (method === "HEAD" && spelled.startsWith("\\")) continue;
        const wrong = { authorization: "Bearer not-a-token-of-this-service-at-all-000" };
        for (const headers of [{}, wrong] as Array<Record<string, string>>) {
          const res = await call(ctx.url, method, spelled, headers);
          if (![401, 404, 400].includes(res.status)) leaks.push(`${method} ${spelled} → ${res.status}`);
          if (res.status === 401) expect(res.headers["www-authenticate"]).toBe('Bearer realm="switchyard"');
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it("sends every such spelling to the guard (none is left to a router's own reading)", () => {
    for (const { path } of routes)
      for (const spelled of spellings(path)) {
        const raw = spelled.toLowerCase().replace(/\/+/g, "/");
        expect(`${canonicalPath(spelled)} ${raw}`, spelled).toMatch(/(^|\s)\/api(\/|\s|$)/);
      }
  });

  it("with a token, answers other spellings 404: only the documented one reaches a handler", async () => {
    const auth = { authorization: `Bearer ${API_TOKENS[0]}` };
    expect((await call(ctx.url, "GET", "/api/events", auth)).status).toBe(200);
    for (const spelled of ["/API/events", "/Api/events", "/api/EVENTS", "/%61pi/events", "/api//events"]) {
      const res = await call(ctx.url, "GET", spelled, { ...auth, accept: "text/html" });
      expect(res.status, spelled).toBe(404);
      expect(res.text).not.toMatch(/items|<html/i);
    }
    // A DELETE in another case deletes nothing (the reported bypass).
    expect((await call(ctx.url, "DELETE", "/API/subscriptions/victim", auth)).status).toBe(404);
  });

  it("serves the document itself without a token in its exact spelling only", async () => {
    expect((await call(ctx.url, "GET", "/api/openapi.json")).status).toBe(200);
    expect((await call(ctx.url, "HEAD", "/api/openapi.json")).status).toBe(200);
    for (const spelled of ["/API/openapi.json", "/api/OPENAPI.json", "/%61pi/openapi.json", "/api//openapi.json"])
      expect((await call(ctx.url, "GET", spelled)).status, spelled).toBe(401);
  });

  it("guards every spelling of the queue board with its Basic password", async () => {
    for (const path of ["/admin/queues", "/admin/queues/api/queues", "/admin/queues/api/redis/stats"]) {
      for (const spelled of [
        path,
        path.toUpperCase(),
        path.replace("/admin", "/Admin"),
        path.replace("queues", "Queues"),
        path.replace("/admin", "/%61dmin"),
        path.replace("/admin/", "/admin//"),
        `/x/..${path}`,
        `${path}/`,
      ]) {
        const res = await call(ctx.url, "GET", spelled);
        expect(res.status, spelled).toBe(401);
        expect(res.headers["www-authenticate"]).toBe('Basic realm="switchyard"');
        expect(res.text).not.toMatch(/ingest|bull/i);
      }
    }
  });

  it("refuses a path that cannot be decoded with 400", async () => {
    const res = await call(ctx.url, "GET", "/api/%E0%A4%A/events");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatch(/percent-encoding/);
  });
});

describe("failed authentication is throttled per client", () => {
  // The service trusts the nearest proxy's X-Forwarded-For entry, so each test client names its own address.
  const from = (ip: string, token?: string) => ({
    "x-forwarded-for": ip,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });

  it("answers 429 with Retry-After after the allowed failures, then even to a right token", async () => {
    for (let i = 0; i < 3; i++)
      expect((await call(limited.url, "GET", "/api/events", from("203.0.113.7", `wrong-${i}`))).status).toBe(401);
    const held = await call(limited.url, "GET", "/api/events", from("203.0.113.7", "wrong-again"));
    expect(held.status).toBe(429);
    expect(Number(held.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(held.headers["retry-after"])).toBeLessThanOrEqual(60);
    expect(JSON.parse(held.text).error).toMatch(/too many failed/);
    // A right guess now is not told apart from a wrong one.
    expect((await call(limited.url, "GET", "/api/events", from("203.0.113.7", API_TOKENS[0]))).status).toBe(429);
    // Nor does a client escape by writing another address in front of what the proxy saw.
    const spoofed = await call(limited.url, "GET", "/api/events", from("198.51.100.1, 203.0.113.7", API_TOKENS[0]));
    expect(spoofed.status).toBe(429);
    // The board counts on the same brake.
    expect((await call(limited.url, "GET", "/admin/queues", from("203.0.113.7"))).status).toBe(429);
  });

  it("keeps serving other clients, and does not count successes", async () => {
    for (let i = 0; i < 10; i++)
      expect((await call(limited.url, "GET", "/api/events", from("203.0.113.8", API_TOKENS[1]))).status).toBe(200);
    expect((await call(limited.url, "GET", "/api/events", from("203.0.113.8", "wrong"))).status).toBe(401);
  });
});

describe("security headers on every answer", () => {
  it("sends nosniff and a content policy from receivers, API, errors, board, console and operations", async () => {
    const answers = await Promise.all([
      call(ctx.url, "GET", "/healthz"),
      call(ctx.url, "GET", "/metrics"),
      call(ctx.url, "GET", "/api/events"),
      call(ctx.url, "GET", "/api/events", { authorization: `Bearer ${API_TOKENS[0]}` }),
      call(ctx.url, "GET", "/api/openapi.json"),
      call(ctx.url, "POST", "/webhooks/github"),
      call(ctx.url, "GET", "/admin/queues"),
      call(ctx.url, "GET", "/no/such/page"),
      call(ctx.url, "GET", "/", { accept: "text/html" }),
      call(ctx.url, "GET", "/api/%zz"),
    ]);
    for (const res of answers) {
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      const csp = String(res.headers["content-security-policy"]);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/https?:/); // nothing from elsewhere
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["x-frame-options"]).toBe("DENY");
    }
  });
});
