import { Agent, request } from "node:http";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKENS, SECRETS, isolatedDatabase, useTestService, waitFor } from "../helpers/service.js";
import { deployRequest, githubRequest, post } from "../../kit/sign.js";
import { prng } from "../../kit/prng.js";
import { plan, type Planned, type Seeds } from "../helpers/fuzz-api-plan.js";

/**
 * Seeded fuzz of every /api route over real HTTP (contract §2: "no request, however malformed, gets a
 * 5xx other than 503"): valid values mixed with NUL and control characters, broken escapes, huge
 * strings, out-of-range dates and numbers, forged cursors, broken, oversize and deep JSON bodies,
 * wrong content types and encodings. Every 4xx must be JSON with an `error`. FUZZ_SEED replays a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20260707);
const REQUESTS = 3000;
const CONCURRENCY = 8;
const BUDGET_MS = 12_000; // sending stops here whatever the count, so the file stays bounded

// The fuzz creates, disables and deletes rules: a schema of its own, so other files never see them.
// Registered before useTestService: its afterAll (service close) then runs before this drop.
const env: Record<string, string> = {};
let db: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;
beforeAll(async () => {
  db = await isolatedDatabase();
  env.DATABASE_URL = db.url;
});
afterAll(() => db?.drop());
const ctx = useTestService(env);

// ---- sending ----
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
afterAll(() => agent.destroy());

function send(p: Planned): Promise<{ status: number; type: string; body: string } | { failed: string }> {
  const url = new URL(ctx.url);
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${API_TOKENS[0]}` };
    if (p.body) headers["content-length"] = p.body.length;
    if (p.contentType !== undefined) headers["content-type"] = p.contentType;
    if (p.contentEncoding) headers["content-encoding"] = p.contentEncoding;
    const req = request(
      { host: url.hostname, port: url.port, path: p.path, method: p.method, agent, headers, timeout: 10_000 },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] ?? "", body: text }),
        );
        res.on("error", () => resolve({ status: res.statusCode ?? 0, type: "", body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer in 10 s")));
    // A connection closed after an early answer (413) may reset before the body is written.
    req.on("error", (err) => resolve({ failed: err.message }));
    req.end(p.body);
  });
}

/** Something to aim valid values at: a few deploys and a PR, processed. */
async function seed(): Promise<Seeds> {
  const run = randomUUID().slice(0, 8);
  const repo = `acme/fuzz-${run}`;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const body = {
      id: `fuzz-${i}-${run}`,
      repository: repo,
      environment: "production",
      status: "succeeded",
      sha: String(i + 1).repeat(40),
      finished_at: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
    };
    ids.push((await post(`${ctx.url}/webhooks/deploy`, deployRequest(body, SECRETS.deploy[0]!))).json.id);
  }
  const pr = {
    action: "opened",
    number: 7,
    repository: { full_name: repo },
    sender: { login: "alice" },
    pull_request: {
      number: 7,
      title: "OPS-1",
      state: "open",
      head: { sha: "1".repeat(40), ref: "f" },
      base: { ref: "main" },
    },
  };
  ids.push(
    (await post(`${ctx.url}/webhooks/github`, await githubRequest("pull_request", pr, SECRETS.github[0]!))).json.id,
  );
  const api = (path: string) =>
    fetch(`${ctx.url}${path}`, { headers: { authorization: `Bearer ${API_TOKENS[0]}` } }).then((r) => r.json() as any);
  const page = await waitFor(async () => {
    const p = await api("/api/events?limit=2");
    return p.items.length === 2 && p.next ? p : null;
  });
  return {
    keys: [
      `github:repo:${repo}`,
      `github:pr:${repo}#7`,
      `github:commit:${repo}@${"1".repeat(40)}`,
      "linear:issue:OPS-1",
    ],
    deploys: [0, 1, 2].map((i) => `deploy:generic:fuzz-${i}-${run}`),
    events: ids,
    cursor: page.next,
  };
}

describe("API fuzz", () => {
  it(`answers every malformed request with a 4xx JSON error, never a 5xx but 503 (seed ${SEED})`, async () => {
    const seeds = await seed();
    const r = prng(SEED);
    const planned = Array.from({ length: REQUESTS }, () => plan(r, seeds));
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    const deadline = Date.now() + BUDGET_MS;
    let next = 0;
    let sent = 0;
    const worker = async () => {
      while (next < planned.length && Date.now() < deadline) {
        const p = planned[next++]!;
        const res = await send(p);
        sent++;
        const what = `${p.method} ${p.path.slice(0, 200)} [${p.contentType ?? "-"}; ${p.body?.length ?? 0} B]`;
        if ("failed" in res) {
          // Only an oversize body may be cut off: the server answers 413 before reading it all.
          if (!(p.body && p.body.length > 1_000_000)) problems.push(`${what} → ${res.failed}`);
          continue;
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500 && res.status !== 503) problems.push(`${what} → ${res.status} ${res.body.slice(0, 200)}`);
        if (res.status >= 400 && res.status < 500 && p.method !== "HEAD") {
          let error: unknown;
          try {
            error = (JSON.parse(res.body) as { error?: unknown }).error;
          } catch {
            error = undefined;
          }
          if (typeof error !== "string" || !res.type.startsWith("application/json")) {
            problems.push(`${what} → ${res.status} without a JSON error: ${res.body.slice(0, 200)}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(problems.slice(0, 20), `seed ${SEED}, ${problems.length} problems`).toEqual([]);
    // The fuzz must really have run, and reached both answers and refusals.
    expect(sent).toBeGreaterThan(500);
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 400, 404]));
    // The service is still up and answering afterwards.
    expect((await fetch(`${ctx.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
