import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKENS, SECRETS, startTestService, waitFor } from "../helpers/service.js";
import { githubRequest, post } from "../../kit/sign.js";

type Started = Awaited<ReturnType<typeof startTestService>>;

// A web process and a worker process sharing one Redis prefix: a deployment's two roles (ROLE, contract §1).
let web: Started;
let worker: Started;
beforeAll(async () => {
  web = await startTestService({ ROLE: "web" });
  worker = await startTestService({ ROLE: "worker", REDIS_PREFIX: web.config.REDIS_PREFIX });
});
afterAll(async () => {
  await web?.service.close();
  await worker?.service.close();
});

const bearer = { authorization: `Bearer ${API_TOKENS[0]}` };
const basic = { authorization: `Basic ${Buffer.from(`ops:${API_TOKENS[0]}`).toString("base64")}` };
const get = (base: string, path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
const ping = { zen: "z", hook_id: 1, repository: { full_name: "acme/web" }, sender: { login: "octocat" } };
const metricNames = async (base: string) => (await get(base, "/metrics").then((r) => r.text())).split("\n");

describe("ROLE=web", () => {
  it("is ready on Redis alone and serves the receivers, /api, /admin/queues and the console", async () => {
    const ready = await get(web.url, "/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", redis: "ok" });
    expect(web.service.api).toBeDefined();
    expect(web.service.worker).toBeUndefined();
    expect((await get(web.url, "/api/openapi.json")).status).toBe(200);
    expect((await get(web.url, "/api/events?limit=1", bearer)).status).toBe(200);
    expect((await get(web.url, "/api/rules", bearer)).status).toBe(200);
    expect((await get(web.url, "/admin/queues", basic)).status).toBe(200);
    // The console answers pages no route does: the app, or a 503 saying it is not built.
    expect([200, 503]).toContain((await get(web.url, "/", { accept: "text/html" })).status);
    expect(
      (await post(`${web.url}/webhooks/github`, await githubRequest("ping", ping, SECRETS.github[0]!))).status,
    ).toBe(202);
  });

  it("reports its live streams, not the outbox", async () => {
    const names = await metricNames(web.url);
    expect(names.some((l) => l.startsWith("switchyard_stream_clients "))).toBe(true);
    expect(names.some((l) => l.startsWith("switchyard_outbox_unrelayed "))).toBe(false);
  });
});

describe("ROLE=worker", () => {
  it("is ready on PostgreSQL and Redis and serves operations only", async () => {
    const ready = await get(worker.url, "/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", postgres: "ok", redis: "ok" });
    expect(worker.service.api).toBeUndefined();
    expect(worker.service.worker).toBeDefined();
    expect((await get(worker.url, "/healthz")).status).toBe(200);
    for (const path of ["/api/openapi.json", "/api/events", "/admin/queues", "/"]) {
      const headers = path.startsWith("/admin") ? basic : bearer;
      const res = await get(worker.url, path, { ...headers, accept: "text/html" });
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ error: `no route GET ${path}` });
    }
    const hook = await post(`${worker.url}/webhooks/github`, await githubRequest("ping", ping, SECRETS.github[0]!));
    expect(hook.status).toBe(404);
  });

  it("stores what the web process accepted, and reports the outbox, not live streams", async () => {
    const text = await waitFor(async () => {
      const t = await get(worker.url, "/metrics").then((r) => r.text());
      return /switchyard_processing_latency_seconds_count\{platform="github"\} 1/.test(t) ? t : null;
    });
    expect(text).toMatch(/switchyard_events_processed_total\{platform="github",outcome="stored"\} 1/);
    const names = await metricNames(worker.url);
    expect(names.some((l) => l.startsWith("switchyard_outbox_unrelayed "))).toBe(true);
    expect(names.some((l) => l.startsWith("switchyard_stream_clients "))).toBe(false);
  });
});
