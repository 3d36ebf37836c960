import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SECRETS, useTestService, useTestPrisma, waitFor } from "../helpers/service.js";
import { deployRequest, post } from "../../kit/sign.js";

const ctx = useTestService();
const prisma = useTestPrisma();

const deploy = (over: Record<string, unknown> = {}) => ({
  id: `dep-${randomUUID()}`,
  repository: "Acme/Web",
  environment: "production-eu",
  status: "succeeded",
  sha: "a".repeat(40),
  ref: "main",
  url: "https://ci.example.com/runs/981",
  started_at: "2026-11-20T10:00:00Z",
  finished_at: "2026-11-20T10:04:30Z",
  service: "web",
  ...over,
});

describe("generic deploy receiver (Standard Webhooks)", () => {
  it("stores a deploy and its deployment row", async () => {
    const body = deploy();
    const res = await post(`${ctx.url}/webhooks/deploy`, deployRequest(body, SECRETS.deploy[0]!));
    expect(res.status, res.text).toBe(202);
    const e = await waitFor(() =>
      prisma.event.findUnique({ where: { id: res.json.id }, include: { deployment: true } }),
    );
    expect(e.type).toBe("deploy.succeeded");
    expect(e.priority).toBe("high");
    expect(e.subject).toBe(`deploy:generic:${body.id}`);
    expect(e.keys).toEqual(
      expect.arrayContaining(["github:repo:acme/web", `github:commit:acme/web@${"a".repeat(40)}`]),
    );
    expect(e.occurredAt.toISOString()).toBe("2026-11-20T10:04:30.000Z");
    expect(e.deployment).toMatchObject({
      source: "generic",
      deployId: body.id,
      repository: "acme/web",
      environment: "production-eu",
      status: "succeeded",
      service: "web",
    });
  });

  it("gives failed deploys critical priority", async () => {
    const res = await post(
      `${ctx.url}/webhooks/deploy`,
      deployRequest(deploy({ status: "failed" }), SECRETS.deploy[1]!),
    );
    expect(res.status).toBe(202);
    const e = await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id } }));
    expect(e.priority).toBe("critical");
  });

  it("refuses a body off the schema with 422 listing the fields", async () => {
    const res = await post(
      `${ctx.url}/webhooks/deploy`,
      deployRequest(deploy({ status: "done", sha: "abc123", repository: undefined }), SECRETS.deploy[0]!),
    );
    expect(res.status).toBe(422);
    expect(res.json.error).toMatch(/status/);
    expect(res.json.error).toMatch(/sha/);
    expect(res.json.error).toMatch(/repository/);
  });
});
