import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleMiddleware } from "../../src/http/console.js";
import { securityHeaders } from "../../src/http/security-headers.js";

/**
 * How src/http/console.ts answers, on a fake build: files, the index.html fallback for client-side
 * routes, the service's own paths left alone, and a plain message when nothing was built.
 */

const built = mkdtempSync(path.join(tmpdir(), "console-built-"));
const missing = path.join(built, "not-built");
const servers: Array<ReturnType<Koa["listen"]>> = [];

/** An app like the service's: its headers, the console after the routes, JSON 404 for what nobody answered. */
async function serve(dir: string) {
  const app = new Koa();
  app.use(securityHeaders());
  app.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = { error: `no route ${ctx.method} ${ctx.path}` };
    }
  });
  app.use(async (ctx, next) => (ctx.path === "/api/events" ? void (ctx.body = { items: [] }) : next()));
  app.use(consoleMiddleware(dir));
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return (p: string, accept = "text/html,application/xhtml+xml") =>
    fetch(base + p, { headers: { accept } }).then(async (r) => ({
      status: r.status,
      type: r.headers.get("content-type") ?? "",
      csp: r.headers.get("content-security-policy") ?? "",
      cache: r.headers.get("cache-control") ?? "",
      text: await r.text(),
    }));
}

beforeAll(() => {
  mkdirSync(path.join(built, "assets"));
  writeFileSync(path.join(built, "index.html"), "<!doctype html><title>Switchyard</title><div id=root></div>");
  writeFileSync(path.join(built, "assets/index-abc123.js"), "console.log('app')");
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(built, { recursive: true, force: true });
});

describe("serving the console", () => {
  it("serves index.html at / and for client-side routes, with a same-origin policy", async () => {
    const get = await serve(built);
    for (const p of [
      "/",
      "/dora",
      `/entities/${encodeURIComponent("github:pr:acme/web#7")}`,
      "/events/x?platform=github",
    ]) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      expect(r.text).toContain("<div id=root>");
      expect(r.csp).toContain("default-src 'self'");
      expect(r.cache).toBe("no-cache");
    }
  });

  it("serves hashed assets cacheable for good, and a missing asset is a 404", async () => {
    const get = await serve(built);
    const js = await get("/assets/index-abc123.js", "*/*");
    expect(js.status).toBe(200);
    expect(js.type).toContain("javascript");
    expect(js.cache).toContain("immutable");
    expect((await get("/assets/gone.js", "*/*")).status).toBe(404);
  });

  it("leaves the service's own paths alone", async () => {
    const get = await serve(built);
    expect((await get("/api/events")).text).toBe('{"items":[]}');
    for (const p of [
      "/api/nope",
      "/webhooks/nope",
      "/admin/queues/x",
      "/metrics",
      "/healthz",
      "/API/nope",
      "/%61pi/x",
    ]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.type, p).toContain("application/json");
    }
    // Not a page load (a script's fetch): no HTML fallback either.
    expect((await get("/dora", "application/json")).type).toContain("application/json");
  });

  it("says to run the build when there is none", async () => {
    const get = await serve(missing);
    for (const [p, accept] of [
      ["/", "*/*"],
      ["/dora", "text/html"],
    ] as const) {
      const r = await get(p, accept);
      expect(r.status).toBe(503);
      expect(r.type).toContain("text/plain");
      expect(r.text).toContain("npm run build");
    }
    expect((await get("/assets/index-abc123.js", "*/*")).status).toBe(404);
  });
});
