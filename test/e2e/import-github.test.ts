import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubHistory } from "../../kit/github-history.js";
import { startFakeGithub, type FakeGithub } from "../../kit/fake-github.js";
import { githubRequest, post } from "../../kit/sign.js";
import { apiCall } from "../helpers/api-call.js";
import { API_TOKENS, SECRETS, useIsolatedService, waitFor } from "../helpers/service.js";

/**
 * Issue 17: a repository's 90-day history delivered as webhooks into one service, and imported from
 * a loopback GitHub into another, gives the same graph; a second import adds nothing; rate limits
 * are waited out; an import that fails mid-way resumes from its cursors; a PR imported and then
 * delivered by webhook stays one entity with one set of links.
 */

const history = githubHistory({ seed: 1717, repository: "acme/shop", pulls: 36 });
let fake: FakeGithub;
// Filled in before the services start (their env is read in their beforeAll, registered after this one).
const importEnv: Record<string, string> = {
  GITHUB_TOKEN: "ghp_loopback_token",
  GITHUB_IMPORT_PER_PAGE: "10",
  GITHUB_IMPORT_RETRY_BASE_MS: "50",
};
beforeAll(async () => {
  fake = await startFakeGithub(history.state);
  importEnv.GITHUB_API_URL = fake.url;
});
afterAll(() => fake?.close());

const webhooks = useIsolatedService();
const imported = useIsolatedService(importEnv);
const resumed = useIsolatedService(importEnv);

type Svc = typeof webhooks;
const count = async (s: Svc, table: "events" | "raw_deliveries") =>
  Number((await s.prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

/** Until the ingest queue is empty and every raw delivery is stored or unprocessable. */
async function settled(s: Svc) {
  const call = apiCall(s);
  await waitFor(async () => {
    const q = (await call("GET", "/api/queue")).json;
    if (q.waiting + q.prioritized + q.active + q.delayed > 0) return false;
    const [row] = await s.prisma.$queryRawUnsafe<Array<{ pending: bigint }>>(
      `SELECT count(*) AS pending FROM raw_deliveries r
        WHERE r.failed_at IS NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = r.id)`,
    );
    return Number(row!.pending) === 0;
  }, 60_000);
}

async function graph(s: Svc) {
  const entities = await s.prisma.$queryRawUnsafe<Array<{ key: string }>>(`SELECT key FROM entities`);
  const links = await s.prisma.$queryRawUnsafe<Array<{ l: string }>>(
    `SELECT from_key || ' -' || relation || '/' || rule || '-> ' || to_key AS l FROM links`,
  );
  return { entities: new Set(entities.map((e) => e.key)), links: new Set(links.map((l) => l.l)) };
}

async function runImport(s: Svc) {
  const call = apiCall(s);
  const started = await call("POST", "/api/imports", { platform: "github", repository: "acme/shop", since: "90d" });
  expect(started.status).toBe(202);
  expect(started.json.job).toMatch(/^import-/);
  const job = await waitFor(async () => {
    const j = (await call("GET", started.json.status)).json;
    return j.state === "completed" || j.state === "failed" ? j : null;
  }, 60_000);
  await settled(s);
  return job;
}

describe("POST /api/imports", () => {
  it("answers 503 for a platform without credentials, 400 for a bad request, 404 for no such job", async () => {
    const bare = apiCall(webhooks);
    const call = apiCall(imported);
    // No GITHUB_TOKEN and no LINEAR_API_KEY on the webhook service.
    expect((await bare("POST", "/api/imports", { platform: "github", repository: "acme/shop" })).status).toBe(503);
    const linear = await call("POST", "/api/imports", { platform: "linear", team: "ENG", since: "30d" });
    expect(linear.status).toBe(503);
    expect(linear.json.error).toMatch(/linear import is not configured: set LINEAR_API_KEY/);
    expect((await call("POST", "/api/imports", { platform: "github", repository: "not a repo" })).status).toBe(400);
    expect(
      (await call("POST", "/api/imports", { platform: "github", repository: "acme/shop", since: "yesterday" })).status,
    ).toBe(400);
    expect((await call("POST", "/api/imports", { platform: "gitlab", repository: "acme/shop" })).status).toBe(400);
    expect((await call("GET", "/api/jobs/import-00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });
});

describe("an import GitHub refuses for good", () => {
  it("fails at once, not retried, when the repository is not found", async () => {
    const call = apiCall(imported);
    const started = await call("POST", "/api/imports", { platform: "github", repository: "acme/missing" });
    expect(started.status).toBe(202);
    const job = await waitFor(async () => {
      const j = (await call("GET", started.json.status)).json;
      return j.state === "failed" ? j : null;
    }, 30_000);
    expect(job.attempts).toBe(1);
    expect(job.failedReason).toMatch(/Not Found/);
  });
});

describe("importing a GitHub repository's history", () => {
  beforeAll(async () => {
    for (const w of history.webhooks) {
      const res = await post(
        `${webhooks.url}/webhooks/github`,
        await githubRequest(w.event, w.payload, SECRETS.github[0]!, w.deliveryId),
      );
      expect(res.status).toBe(202);
    }
    await settled(webhooks);
  }, 120_000);

  it("gives the graph the webhooks gave, waiting out rate limits and retrying a failed page", async () => {
    fake.faults.push(
      { kind: "primary", match: /\/pulls\?/, times: 1 },
      { kind: "secondary", match: /\/commits\?.*[?&]page=2\b/, times: 1 },
      { kind: "error", match: /\/deployments\?.*[?&]page=2\b/, times: 1 },
    );
    const before = fake.requests.length;
    const job = await runImport(imported);
    expect(job.state).toBe("completed");
    expect(job.attempts).toBe(1);
    expect(job.result.items).toBe(
      history.counts.pulls + history.counts.commits + history.counts.deployments + history.counts.issues,
    );
    // Each fault was met once and its request then answered.
    const log = fake.requests.slice(before);
    expect(log.filter((r) => r.endsWith(" 403"))).toHaveLength(1);
    expect(log.filter((r) => r.endsWith(" 429"))).toHaveLength(1);
    expect(log.filter((r) => r.endsWith(" 500"))).toHaveLength(1);
    for (const failed of log.filter((r) => / (403|429|500)$/.test(r))) {
      const path = failed.replace(/ \d+$/, "");
      expect(log.indexOf(`${path} 200`)).toBeGreaterThan(log.indexOf(failed));
    }

    const [a, b] = [await graph(webhooks), await graph(imported)];
    expect(b.entities.size).toBeGreaterThan(history.counts.pulls * 2);
    expect([...b.entities].sort()).toEqual([...a.entities].sort());
    expect([...b.links].sort()).toEqual([...a.links].sort());

    // Marked as imported, visibly.
    const [one] = await imported.prisma.$queryRawUnsafe<Array<{ id: string }>>(`SELECT id FROM events LIMIT 1`);
    const detail = await apiCall(imported)("GET", `/api/events/${one!.id}`);
    expect(detail.json.raw.source).toBe("import");
    expect(detail.json.raw.headers["x-github-delivery"]).toMatch(/^import:/);
    const [hooked] = await webhooks.prisma.$queryRawUnsafe<Array<{ id: string }>>(`SELECT id FROM events LIMIT 1`);
    expect((await apiCall(webhooks)("GET", `/api/events/${hooked!.id}`)).json.raw.source).toBe("webhook");
  }, 120_000);

  it("adds nothing when run again; asked twice at once, it is one job", async () => {
    const [events, raw] = [await count(imported, "events"), await count(imported, "raw_deliveries")];
    const call = apiCall(imported);
    const body = { platform: "github", repository: "ACME/shop", since: "30d" };
    const [first, second] = [await call("POST", "/api/imports", body), await call("POST", "/api/imports", body)];
    expect(second.json.job).toBe(first.json.job);
    expect(second.json.since).toBe(first.json.since);
    await waitFor(async () => (await call("GET", first.json.status)).json.state === "completed", 60_000);
    const job = await runImport(imported);
    expect(job.state).toBe("completed");
    expect(job.result.deliveries).toBeGreaterThan(0);
    expect(job.result.duplicates).toBe(job.result.deliveries);
    expect(await count(imported, "events")).toBe(events);
    expect(await count(imported, "raw_deliveries")).toBe(raw);
  }, 120_000);

  it("is run by `switchyard import github`, which follows the job and prints a summary; linear is refused", async () => {
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
        env: { ...process.env, SWITCHYARD_URL: imported.url, SWITCHYARD_TOKEN: API_TOKENS[0] },
      });
    const events = await count(imported, "events");
    const { stdout } = await cli("import", "github", "--repo", "acme/shop", "--since", "90d");
    expect(stdout).toMatch(/state\s+completed/);
    expect(stdout).toMatch(/pull_requests\s+36\s+4\s+/);
    expect(stdout).toMatch(/already queued/);
    const queued = JSON.parse((await cli("--json", "import", "github", "--repo", "acme/shop", "--no-wait")).stdout);
    expect(queued.job).toMatch(/^import-/);
    await waitFor(async () => (await apiCall(imported)("GET", queued.status)).json.state === "completed", 60_000);
    await settled(imported);
    expect(await count(imported, "events")).toBe(events);
    const refused = await cli("import", "linear", "--team", "ENG").then(
      () => expect.fail("import linear succeeded"),
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/linear import is not configured: set LINEAR_API_KEY/);
  }, 120_000);

  it("resumes from its cursors after an attempt fails mid-way: no page read twice but the failed one, nothing missing", async () => {
    // The third page of pull requests fails for good on the first attempt (422 is not retried by the client).
    fake.faults.push({ kind: "unprocessable", match: /\/pulls\?.*[?&]page=3\b/, times: 1 });
    const before = fake.requests.length;
    const job = await runImport(resumed);
    expect(job.state).toBe("completed");
    expect(job.attempts).toBe(2);
    const log = fake.requests.slice(before);
    const pullPages = log.filter((r) => /\/shop\/pulls\?/.test(r));
    // Pages 1 and 2 once, page 3 failed then read, page 4 once: the retry started at the saved cursor.
    expect(pullPages.filter((r) => !/[?&]page=/.test(r) || /[?&]page=1\b/.test(r))).toHaveLength(1);
    expect(pullPages.filter((r) => /[?&]page=2\b/.test(r))).toHaveLength(1);
    expect(pullPages.filter((r) => /[?&]page=3\b/.test(r))).toEqual([
      expect.stringMatching(/ 422$/),
      expect.stringMatching(/ 200$/),
    ]);
    // The default branch's commits were done by the first attempt: not read again.
    const firstCommitPage = log.filter((r) => /\/shop\/commits\?/.test(r) && !/[?&]page=/.test(r));
    expect(firstCommitPage).toHaveLength(1);
    expect(job.result.resources.find((r: { resource: string }) => r.resource === "commits").skipped).toBe(true);

    const [a, c] = [await graph(webhooks), await graph(resumed)];
    expect([...c.entities].sort()).toEqual([...a.entities].sort());
    expect([...c.links].sort()).toEqual([...a.links].sort());
    expect(await count(resumed, "events")).toBe(await count(imported, "events"));
  }, 120_000);

  it("keeps a PR imported and then delivered by webhook as one entity with one set of links", async () => {
    const pr = history.state.pulls.find((p) => p.merged_at)!;
    const key = `github:pr:acme/shop#${pr.number}`;
    const before = await graph(imported);
    expect(before.entities.has(key)).toBe(true);
    expect([...before.links].filter((l) => l.includes(key)).length).toBeGreaterThan(1);
    const events = await count(imported, "events");
    const later = history.webhooks.filter((w) => w.payload.pull_request?.number === pr.number);
    expect(later.length).toBeGreaterThanOrEqual(3);
    for (const w of later) {
      const req = await githubRequest(w.event, w.payload, SECRETS.github[0]!, w.deliveryId);
      expect((await post(`${imported.url}/webhooks/github`, req)).status).toBe(202);
    }
    await settled(imported);
    // Stored as events of their own, they join the PR's entity: no entity, no link added.
    expect(await count(imported, "events")).toBe(events + later.length);
    const after = await graph(imported);
    expect([...after.entities].sort()).toEqual([...before.entities].sort());
    expect([...after.links].sort()).toEqual([...before.links].sort());
  }, 120_000);
});
