import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGithub, type FakeGithub } from "../../../kit/fake-github.js";
import {
  dispatchFailure,
  dispatchRequest,
  githubDispatchSender,
  WORKFLOW_INPUT,
} from "../../../src/outbound/senders/github-dispatch.js";
import type { DispatchTarget, OutgoingMessage, SubscriptionTarget } from "../../../src/shared/outbound.js";

/** The github-dispatch sender: its request, its outcomes, and against the loopback GitHub (kit/fake-github.ts). */

const TOKEN = "ghp_dispatch0123456789abcdefghijklmnopqrstu";
const repositoryDispatch: DispatchTarget = { repository: "acme/deployer", eventType: "switchyard-shipped" };
const workflowDispatch: DispatchTarget = { repository: "acme/deployer", workflow: "ship.yml", ref: "main" };

const target = (dispatch: DispatchTarget | null): SubscriptionTarget => ({
  id: randomUUID(),
  name: "ci-trigger",
  kind: "github-dispatch",
  url: null,
  channel: null,
  moveTo: null,
  dispatch,
  secrets: [],
});

const message = (data: unknown = { deploy: { key: "deploy:generic:d-1" } }): OutgoingMessage => ({
  id: randomUUID(),
  attempt: 1,
  payload: { type: "deploy.succeeded", timestamp: "2026-12-07T10:00:00.000Z", data },
});

/** An Octokit RequestError's shape, as the sender reads it. */
const answered = (status: number, data: unknown = {}, headers: Record<string, string> = {}) => ({
  status,
  message: "refused",
  response: { status, headers, data },
});

describe("dispatchRequest", () => {
  it("sends the message with its id as a repository_dispatch's client_payload", () => {
    const m = message();
    const req = dispatchRequest(repositoryDispatch, m);
    expect(req.route).toBe("POST /repos/{owner}/{repo}/dispatches");
    expect(req.params).toEqual({
      owner: "acme",
      repo: "deployer",
      event_type: "switchyard-shipped",
      client_payload: { id: m.id, ...m.payload },
    });
    expect(Object.keys(req.params.client_payload as object).length).toBeLessThanOrEqual(10);
  });

  it("sends it as JSON text in the switchyard_event input of a workflow_dispatch", () => {
    const m = message();
    const req = dispatchRequest(workflowDispatch, m);
    expect(req.route).toBe("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches");
    expect(req.params).toMatchObject({ owner: "acme", repo: "deployer", workflow_id: "ship.yml", ref: "main" });
    const inputs = req.params.inputs as Record<string, string>;
    expect(Object.keys(inputs)).toEqual([WORKFLOW_INPUT]);
    expect(JSON.parse(inputs[WORKFLOW_INPUT]!)).toEqual({ id: m.id, ...m.payload });
  });
});

describe("dispatchFailure", () => {
  const label = "acme/deployer repository_dispatch (x)";
  const now = Date.parse("2026-12-07T10:00:00Z");

  it("retries a 5xx, a 408 and a request that got no answer", () => {
    for (const status of [500, 502, 503, 408]) {
      const o = dispatchFailure(answered(status, { message: "Server Error" }), label, now);
      expect(o, String(status)).toMatchObject({ ok: false, statusCode: status });
      expect(o.permanent, String(status)).toBe(false);
    }
    const timeout = dispatchFailure(new Error("The operation was aborted due to timeout"), label, now);
    expect(timeout).toMatchObject({ ok: false, statusCode: null });
    expect(timeout.permanent).toBeUndefined();
    expect(timeout.error).toMatch(/acme\/deployer.*timeout/);
  });

  it("waits out a rate limit: Retry-After first, else x-ratelimit-reset", () => {
    const secondary = dispatchFailure(
      answered(429, { message: "secondary rate limit" }, { "retry-after": "30" }),
      label,
      now,
    );
    expect(secondary).toMatchObject({ ok: false, statusCode: 429, retryAfterMs: 30_000 });
    expect(secondary.permanent).toBeUndefined();
    const primary = dispatchFailure(
      answered(
        403,
        { message: "API rate limit exceeded" },
        {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(now / 1000 + 90),
        },
      ),
      label,
      now,
    );
    expect(primary).toMatchObject({ ok: false, statusCode: 403, retryAfterMs: 90_000 });
    expect(primary.error).toMatch(/rate limit/);
  });

  it("gives up at once on 401, a 403 that is no rate limit, 404 and 422, naming the repository", () => {
    const cases: Array<[number, RegExp]> = [
      [401, /token \(401\) for acme\/deployer/],
      [403, /may not dispatch to acme\/deployer .*\(403\): Resource not accessible/],
      [404, /404 for acme\/deployer.*no such repository or workflow/],
      [422, /refused acme\/deployer .*\(422\): Resource not accessible/],
    ];
    for (const [status, error] of cases) {
      const o = dispatchFailure(
        answered(
          status,
          { message: "Resource not accessible by personal access token" },
          { "x-ratelimit-remaining": "4999" },
        ),
        label,
        now,
      );
      expect(o, String(status)).toMatchObject({ ok: false, statusCode: status, permanent: true });
      expect(o.error, String(status)).toMatch(error);
      expect(o.response, String(status)).toContain("Resource not accessible");
    }
  });
});

describe("against the loopback GitHub", () => {
  let github: FakeGithub;
  beforeAll(async () => {
    github = await startFakeGithub();
  });
  afterAll(() => github?.close());
  beforeEach(() => {
    github.dispatches.length = 0;
    github.faults.length = 0;
  });
  const send = (dispatch: DispatchTarget, m = message(), token: string | null = TOKEN) =>
    githubDispatchSender({ token: token ?? undefined, apiUrl: github.url, timeoutMs: 5000 })(target(dispatch), m);

  it("a repository_dispatch reaches it with the expected body and the token", async () => {
    const m = message();
    const outcome = await send(repositoryDispatch, m);
    expect(outcome).toMatchObject({ ok: true, statusCode: 204 });
    expect(outcome.response).toMatch(/acme\/deployer repository_dispatch \(switchyard-shipped\)/);
    expect(github.dispatches).toEqual([
      {
        repository: "acme/deployer",
        workflow: null,
        body: { event_type: "switchyard-shipped", client_payload: { id: m.id, ...m.payload } },
        authorization: `token ${TOKEN}`,
      },
    ]);
  });

  it("a workflow_dispatch reaches the workflow's endpoint with the ref and the input", async () => {
    const m = message();
    expect(await send(workflowDispatch, m)).toMatchObject({ ok: true, statusCode: 204 });
    expect(github.dispatches).toHaveLength(1);
    const d = github.dispatches[0]!;
    expect(d).toMatchObject({ repository: "acme/deployer", workflow: "ship.yml", body: { ref: "main" } });
    expect(JSON.parse(d.body.inputs[WORKFLOW_INPUT])).toEqual({ id: m.id, ...m.payload });
  });

  it("tells the outcomes apart, with no retry inside an attempt", async () => {
    github.faults.push({ kind: "error", match: /dispatches/, times: 1 });
    expect(await send(repositoryDispatch)).toMatchObject({ ok: false, statusCode: 500, permanent: false });
    github.faults.push({ kind: "not-found", match: /dispatches/, times: 1 });
    const missing = await send(repositoryDispatch);
    expect(missing).toMatchObject({ ok: false, statusCode: 404, permanent: true });
    github.faults.push({ kind: "primary", match: /dispatches/, times: 1 });
    const limited = await send(repositoryDispatch);
    expect(limited).toMatchObject({ ok: false, statusCode: 403 });
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(0);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(2000);
    expect(github.dispatches).toHaveLength(0);
    const refused = github.requests.filter((r) => r.startsWith("POST"));
    expect(refused.slice(-3).map((r) => r.split(" ").at(-1))).toEqual(["500", "404", "403"]);
    for (const o of [missing, limited]) expect(JSON.stringify(o)).not.toContain(TOKEN);
  });

  it("without a token, or with a payload too large for GitHub, it is dead at once and asks nothing", async () => {
    const before = github.requests.length;
    expect(await send(repositoryDispatch, message(), null)).toMatchObject({
      ok: false,
      permanent: true,
      error: "GITHUB_DISPATCH_TOKEN is not configured",
    });
    const big = await send(repositoryDispatch, message({ blob: "x".repeat(70_000) }));
    expect(big).toMatchObject({ ok: false, permanent: true });
    expect(big.error).toMatch(/under 65536/);
    expect(github.requests.length).toBe(before);
  });
});
