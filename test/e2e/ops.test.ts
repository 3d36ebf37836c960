import { describe, expect, it } from "vitest";
import { SECRETS, startTestService, useTestService, waitFor } from "../helpers/service.js";
import { githubRequest, post } from "../../kit/sign.js";

const ctx = useTestService();

describe("operations endpoints", () => {
  it("/healthz and /readyz", async () => {
    expect((await fetch(`${ctx.url}/healthz`)).status).toBe(200);
    // Each check has 1 s: on a machine busy with the rest of the suite one may miss it, so ask again.
    const ready = await waitFor(async () => {
      const res = await fetch(`${ctx.url}/readyz`);
      return res.status === 200 ? res : null;
    });
    expect(await ready.json()).toEqual({ status: "ready", postgres: "ok", redis: "ok" });
  });

  it("/readyz of a worker answers 503 naming what is unreachable", async () => {
    const broken = await startTestService({
      DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nowhere",
      ROLE: "worker",
    });
    try {
      const r = await fetch(`${broken.url}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ postgres: "unreachable", redis: "ok" });
    } finally {
      await broken.service.close();
    }
  });

  it("/readyz of a web process is ready while PostgreSQL refuses connections (receivers need Redis only)", async () => {
    const web = await startTestService({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nowhere", ROLE: "web" });
    try {
      const r = await fetch(`${web.url}/readyz`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ status: "ready", redis: "ok" });
      const ping = { zen: "z", hook_id: 1, repository: { full_name: "acme/web" }, sender: { login: "octocat" } };
      expect(
        (await post(`${web.url}/webhooks/github`, await githubRequest("ping", ping, SECRETS.github[0]!))).status,
      ).toBe(202);
    } finally {
      await web.service.close();
    }
  });

  it("/metrics counts received, accepted, rejected, duplicates and reports queue depth and latency", async () => {
    const ping = { zen: "z", hook_id: 1, repository: { full_name: "acme/web" }, sender: { login: "octocat" } };
    const signed = await githubRequest("ping", ping, SECRETS.github[0]!);
    await post(`${ctx.url}/webhooks/github`, signed);
    await post(`${ctx.url}/webhooks/github`, signed);
    await post(`${ctx.url}/webhooks/github`, await githubRequest("ping", ping, "wrong"));
    // The worker stores the accepted delivery asynchronously: wait until it is counted.
    const text = await waitFor(async () => {
      const t = await (await fetch(`${ctx.url}/metrics`)).text();
      return /switchyard_processing_latency_seconds_count\{platform="github"\} 1/.test(t) ? t : null;
    });
    expect(text).toMatch(/switchyard_webhooks_received_total\{platform="github"\} 3/);
    expect(text).toMatch(/switchyard_webhooks_accepted_total\{platform="github"\} 1/);
    expect(text).toMatch(/switchyard_webhooks_duplicate_total\{platform="github"\} 1/);
    expect(text).toMatch(/switchyard_webhooks_rejected_total\{platform="github",reason="bad_signature"\} 1/);
    expect(text).toMatch(/switchyard_queue_jobs\{state="completed"\} \d+/);
    expect(text).toMatch(/switchyard_queue_oldest_waiting_seconds \d/);
    expect(text).toMatch(/switchyard_processing_latency_seconds_count\{platform="github"\} 1/);
  });
});
