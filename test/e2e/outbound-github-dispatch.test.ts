import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeGithub } from "../../kit/fake-github.js";
import { post } from "../../kit/sign.js";
import { API_TOKENS, useIsolatedService, waitFor } from "../helpers/service.js";
import { story } from "../helpers/story.js";

/**
 * github-dispatch subscriptions (issue 18, CI triggers) through the service: the story's milestones
 * → relay → outbound worker → a dispatch to the loopback GitHub (kit/fake-github.ts), retried and
 * recorded like every other attempt.
 */

const TOKEN = "ghp_dispatchE2E0123456789abcdefghijklmnop";
const github = await startFakeGithub();
afterAll(() => github.close());
const ctx = useIsolatedService({
  GITHUB_DISPATCH_TOKEN: TOKEN,
  GITHUB_API_URL: github.url,
  OUTBOUND_RETRY_SCHEDULE: "200ms,200ms,200ms",
  OUTBOUND_TIMEOUT_MS: "2000",
  WORKER_CONCURRENCY: "8",
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${ctx.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

const suffix = () => randomBytes(3).toString("hex");

async function subscribe(def: Record<string, unknown>): Promise<string> {
  const name = `ci-${suffix()}`;
  const created = await call("POST", "/api/subscriptions", { name, kind: "github-dispatch", ...def });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  return name;
}

/** A `switchyard.test` message to the subscription, once it has ended (succeeded or dead). */
async function testMessage(name: string) {
  const sent = await call("POST", `/api/subscriptions/${name}/test`);
  expect(sent.status).toBe(202);
  return waitFor(async () => {
    const { json } = await call("GET", `/api/subscriptions/${name}/deliveries/${sent.json.id}`);
    return json.status === "succeeded" || json.status === "dead" ? json : null;
  }, 15_000);
}

describe("a github-dispatch subscription", () => {
  it("dispatches each production ship to the repository, a 500 retried and both attempts recorded", async () => {
    const s = story(`gd${suffix()}`);
    const name = await subscribe({
      repository: "acme/deployer",
      eventType: "switchyard-shipped",
      types: ["issue.shipped"],
      where: { environment: "prod*", repository: s.repo },
    });
    github.faults.push({ kind: "error", match: /^\/repos\/acme\/deployer\/dispatches/, times: 1 });
    for (const step of s.steps) {
      const res = await post(`${ctx.url}/webhooks/${step.platform}`, await step.request());
      expect(res.status, step.name).toBe(202);
      await waitFor(() => ctx.prisma.event.findUnique({ where: { id: res.json.id }, select: { id: true } }));
    }
    const mine = () => github.dispatches.filter((d) => d.body.client_payload?.data?.repository === s.repo);
    await waitFor(async () => mine().length >= 2, 20_000);
    await sleep(800); // time for a wrong third dispatch (staging, a repeat)

    const sent = mine();
    expect(sent).toHaveLength(2);
    for (const d of sent) {
      expect(d).toMatchObject({ repository: "acme/deployer", workflow: null, authorization: `token ${TOKEN}` });
      expect(d.body.event_type).toBe("switchyard-shipped");
      // The message as webhooks get it, envelope included, and its id: 7 of GitHub's 10 top-level properties.
      expect(Object.keys(d.body.client_payload).sort()).toEqual([
        "causationId",
        "correlationId",
        "data",
        "id",
        "timestamp",
        "type",
        "version",
      ]);
      expect(d.body.client_payload).toMatchObject({ type: "issue.shipped", data: { repository: s.repo } });
      expect(d.body.client_payload.data.issue.key).toBe(`linear:issue:${s.issue}`);
    }
    expect(sent.map((d) => d.body.client_payload.data.deploy.key).sort()).toEqual(
      [`deploy:generic:${s.deploy("eu-1")}`, `deploy:generic:${s.deploy("us-1")}`].sort(),
    );

    const { json } = await call("GET", `/api/subscriptions/${name}/deliveries?attemptLog=true`);
    expect(json.items).toHaveLength(2);
    expect(json.items.every((m: any) => m.status === "succeeded")).toBe(true);
    // Each message's id is the client_payload's: a workflow can tell a repeat.
    expect(json.items.map((m: any) => m.id).sort()).toEqual(sent.map((d) => d.body.client_payload.id).sort());
    const retried = json.items.find((m: any) => m.attempts === 2);
    expect(retried, JSON.stringify(json.items)).toBeTruthy();
    const log = [...retried.attemptLog].sort((a: any, b: any) => a.attempt - b.attempt);
    expect(log.map((a: any) => a.statusCode)).toEqual([500, 204]);
    expect(log[0].error).toMatch(/GitHub answered 500 for acme\/deployer repository_dispatch/);
    expect(log[1].response).toMatch(/dispatched: acme\/deployer repository_dispatch \(switchyard-shipped\)/);
    expect(JSON.stringify(json)).not.toContain(TOKEN);
  }, 90_000);

  it("runs a workflow: workflow_dispatch with the ref and the message in the switchyard_event input", async () => {
    const name = await subscribe({
      repository: "acme/workflows",
      workflow: "ship.yml",
      ref: "main",
      types: ["switchyard.test"],
    });
    const m = await testMessage(name);
    expect(m).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 204 });
    const d = github.dispatches.find((x) => x.repository === "acme/workflows");
    expect(d).toMatchObject({ workflow: "ship.yml", authorization: `token ${TOKEN}`, body: { ref: "main" } });
    expect(Object.keys(d!.body.inputs)).toEqual(["switchyard_event"]);
    expect(JSON.parse(d!.body.inputs.switchyard_event)).toMatchObject({
      id: m.id,
      type: "switchyard.test",
      data: { subscription: name },
    });
  });

  it("a 404 is dead at once, naming the repository", async () => {
    const name = await subscribe({ repository: "acme/missing", eventType: "ship", types: ["switchyard.test"] });
    github.faults.push({ kind: "not-found", match: /^\/repos\/acme\/missing\//, times: 1 });
    const m = await testMessage(name);
    expect(m).toMatchObject({ status: "dead", attempts: 1, lastStatusCode: 404 });
    expect(m.lastError).toMatch(/404 for acme\/missing repository_dispatch \(ship\): no such repository/);
    expect(m.attemptLog).toHaveLength(1);
    expect(github.dispatches.some((d) => d.repository === "acme/missing")).toBe(false);
  });

  it("a rate limit (403, x-ratelimit-remaining 0) waits for its reset, then dispatches", async () => {
    const name = await subscribe({ repository: "acme/limited", eventType: "ship", types: ["switchyard.test"] });
    github.faults.push({ kind: "primary", match: /^\/repos\/acme\/limited\//, times: 1 });
    const m = await testMessage(name);
    expect(m).toMatchObject({ status: "succeeded", attempts: 2, lastStatusCode: 204 });
    const log = [...m.attemptLog].sort((a: any, b: any) => a.attempt - b.attempt);
    expect(log[0]).toMatchObject({ statusCode: 403 });
    expect(log[0].error).toMatch(/GitHub rate limit \(403\) for acme\/limited/);
    expect(github.dispatches.filter((d) => d.repository === "acme/limited")).toHaveLength(1);
  });
});
