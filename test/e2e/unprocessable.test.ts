import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { API_TOKENS, SECRETS, useTestPrisma, useTestService, waitFor } from "../helpers/service.js";
import { deployRequest, githubRequest, post } from "../../kit/sign.js";
import { checkAnswer } from "../helpers/answers.js";

const ctx = useTestService();
const prisma = useTestPrisma();
const api = async (path: string, init: RequestInit = {}) => {
  const r = await fetch(`${ctx.url}/api${path}`, { ...init, headers: { authorization: `Bearer ${API_TOKENS[0]}` } });
  const json = (await r.json()) as any;
  checkAnswer(init.method ?? "GET", `/api${path}`, r.status, json);
  return { status: r.status, json };
};
const repository = { full_name: "acme/unprocessable", name: "unprocessable", owner: { login: "acme" } };

/** Sends a signed GitHub delivery and waits until it is stored or kept as unprocessable. */
async function deliver(event: string, payload: object) {
  const res = await post(`${ctx.url}/webhooks/github`, await githubRequest(event, payload, SECRETS.github[0]!));
  expect(res.status).toBe(202);
  const id = res.json.id as string;
  await waitFor(async () => {
    const raw = await prisma.rawDelivery.findUnique({ where: { id }, include: { event: { select: { id: true } } } });
    return raw && (raw.error || raw.event);
  });
  return id;
}

describe("every accepted delivery is kept (contract §8)", () => {
  it("keeps a payload without its pull_request as unprocessable, lists it, and reprocesses it on demand", async () => {
    const id = await deliver("pull_request", { action: "opened", number: 1, repository, sender: { login: "a" } });
    const raw = await prisma.rawDelivery.findUniqueOrThrow({ where: { id } });
    expect(raw.error).toMatch(/payload\.pull_request is missing/);
    expect(raw.body).toContain('"action":"opened"');
    expect(await prisma.event.count({ where: { id } })).toBe(0);

    const listed = await api("/deliveries?status=unprocessable&platform=github&limit=500");
    expect(listed.status).toBe(200);
    expect(listed.json.items).toContainEqual(
      expect.objectContaining({ id, status: "unprocessable", platform: "github" }),
    );
    expect((await api("/deliveries?status=stored&limit=500")).json.items.map((d: any) => d.id)).not.toContain(id);

    const again = await api(`/deliveries/${id}/reprocess`, { method: "POST" });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id, status: "unprocessable", error: expect.stringMatching(/pull_request/) });
    expect((await api(`/deliveries/${randomUUID()}/reprocess`, { method: "POST" })).status).toBe(404);

    const metrics = await (await fetch(`${ctx.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_deliveries_unprocessable_total\{platform="github"\} [1-9]/);
    expect((await api("/queue")).json.unprocessable.github).toBeGreaterThanOrEqual(1);
  });

  it("reprocessing a stored delivery clears nothing and changes no link", async () => {
    const id = await deliver("issues", {
      action: "opened",
      issue: { number: 4, title: "t", state: "open", html_url: "https://github.com/acme/unprocessable/issues/4" },
      repository,
      sender: { login: "a" },
    });
    const before = await prisma.link.count();
    const again = await api(`/deliveries/${id}/reprocess`, { method: "POST" });
    expect(again.json).toEqual({ id, status: "stored", error: null });
    expect(await prisma.link.count()).toBeGreaterThanOrEqual(before);
    expect((await api(`/deliveries?status=stored&limit=500`)).json.items.map((d: any) => d.id)).toContain(id);
  });

  it("stores a GitHub deployment whose dates PostgreSQL cannot hold, with the dates absent", async () => {
    const deployment = {
      id: 912_001,
      sha: "a".repeat(40),
      ref: "main",
      environment: "production",
      created_at: "0000-01-01T00:00:00Z",
      updated_at: "+275760-09-13T00:00:00.000Z",
    };
    const status = {
      state: "success",
      environment: "production",
      created_at: "0000-01-01T00:00:00Z",
      updated_at: "0000-01-01T00:00:00Z",
    };
    const id = await deliver("deployment_status", {
      action: "created",
      deployment,
      deployment_status: status,
      repository,
      sender: { login: "a" },
    });
    const row = await prisma.deployment.findUniqueOrThrow({ where: { eventId: id } });
    expect(row).toMatchObject({ startedAt: null, finishedAt: null, status: "succeeded" });
    const event = await prisma.event.findUniqueOrThrow({ where: { id } });
    expect(event.occurredAt.getUTCFullYear()).toBeGreaterThan(2000); // the receipt time, not year 0
  });

  it("refuses a generic deploy dated year 0 at the edge (422), and keeps the rest of the stream", async () => {
    const body = (id: string, started: string) => ({
      id,
      repository: "acme/unprocessable",
      environment: "production",
      status: "succeeded",
      sha: "b".repeat(40),
      started_at: started,
    });
    const bad = await post(
      `${ctx.url}/webhooks/deploy`,
      deployRequest(body(`y0-${randomUUID()}`, "0000-01-01T00:00:00Z"), SECRETS.deploy[0]!),
    );
    expect(bad.status).toBe(422);
    expect(bad.json.error).toMatch(/started_at/);
    const good = await post(
      `${ctx.url}/webhooks/deploy`,
      deployRequest(body(`ok-${randomUUID()}`, "2026-01-01T00:00:00Z"), SECRETS.deploy[0]!),
    );
    expect(good.status).toBe(202);
  });
});
