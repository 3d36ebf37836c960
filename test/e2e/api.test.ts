import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { API_TOKENS, SECRETS, startTestService, useTestPrisma, useTestService, waitFor } from "../helpers/service.js";
import { deployRequest, githubRequest, post } from "../../kit/sign.js";
import { checkAnswer } from "../helpers/answers.js";

const ctx = useTestService();
const prisma = useTestPrisma();
// A repository of this run only, so filters see exactly the events made here.
const repo = `acme/api-${randomUUID().slice(0, 8)}`;
const ids: string[] = [];

const api = (path: string, token: string | null = API_TOKENS[0]!) =>
  fetch(`${ctx.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then(async (r) => {
    const json = (await r.json()) as any;
    checkAnswer("GET", path, r.status, json);
    return { status: r.status, json };
  });

beforeAll(async () => {
  // 12 deploys at known times and 3 PR events, all on this run's repository.
  for (let i = 0; i < 12; i++) {
    const at = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
    const body = {
      id: `api-${i}-${repo}`,
      repository: repo,
      environment: "production",
      status: i % 4 === 0 ? "failed" : "succeeded",
      sha: String(i % 10).repeat(40),
      finished_at: at,
    };
    const res = await post(`${ctx.url}/webhooks/deploy`, deployRequest(body, SECRETS.deploy[0]!));
    ids.push(res.json.id);
  }
  for (const action of ["opened", "closed", "labeled"]) {
    const pr = {
      action,
      number: 5,
      repository: { full_name: repo },
      sender: { login: "alice" },
      pull_request: {
        number: 5,
        title: "t",
        state: "open",
        head: { sha: "d".repeat(40), ref: "f" },
        base: { ref: "main" },
        updated_at: "2026-02-01T00:00:00Z",
      },
    };
    const res = await post(`${ctx.url}/webhooks/github`, await githubRequest("pull_request", pr, SECRETS.github[0]!));
    ids.push(res.json.id);
  }
  await waitFor(async () => (await prisma.event.count({ where: { id: { in: ids } } })) === ids.length);
});

describe("query API auth", () => {
  it("answers 401 without a token or with an unknown one, and accepts every configured token", async () => {
    expect((await api("/api/events", null)).status).toBe(401);
    expect((await api("/api/events", "nope")).status).toBe(401);
    expect((await api("/api/events?limit=1", API_TOKENS[1]!)).status).toBe(200);
  });
  it("answers 401 to everyone when API_TOKENS is empty", async () => {
    const closed = await startTestService({ API_TOKENS: "", ROLE: "web" });
    try {
      const r = await fetch(`${closed.url}/api/events`, { headers: { authorization: "Bearer " } });
      expect(r.status).toBe(401);
    } finally {
      await closed.service.close();
    }
  });
});

describe("GET /api/events", () => {
  it("filters by subject, platform and type glob", async () => {
    const prs = await api(`/api/events?subject=${encodeURIComponent(`github:pr:${repo}#5`)}`);
    expect(prs.json.items.map((e: any) => e.type).sort()).toEqual([
      "github.pull_request.closed",
      "github.pull_request.labeled",
      "github.pull_request.opened",
    ]);
    const glob = await api(
      `/api/events?type=${encodeURIComponent("github.pull_request.*")}` +
        `&subject=${encodeURIComponent(`github:pr:${repo}#5`)}`,
    );
    expect(glob.json.items).toHaveLength(3);
    const one = await api(
      `/api/events?type=${encodeURIComponent("*.clos?d")}&subject=${encodeURIComponent(`github:pr:${repo}#5`)}`,
    );
    expect(one.json.items.map((e: any) => e.type)).toEqual(["github.pull_request.closed"]);
    const failed = await api(
      `/api/events?platform=deploy&type=deploy.failed&since=2026-01-01T00:00:00Z&until=2026-01-01T01:00:00Z`,
    );
    expect(failed.json.items.filter((e: any) => e.keys.includes(`github:repo:${repo}`))).toHaveLength(3);
  });

  it("pages newest first with a keyset cursor, without gaps or repeats", async () => {
    const seen: any[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const window = "since=2026-01-01T00:00:00Z&until=2026-01-01T00:12:00Z";
      const q = `/api/events?platform=deploy&${window}&limit=5${next ? `&cursor=${next}` : ""}`;
      const page = await api(q);
      expect(page.status).toBe(200);
      seen.push(...page.json.items.filter((e: any) => e.keys.includes(`github:repo:${repo}`)));
      next = page.json.next;
      pages++;
    } while (next && pages < 50);
    expect(seen.map((e) => e.occurredAt)).toEqual(
      Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2026, 0, 1, 0, 11 - i)).toISOString()),
    );
    expect(new Set(seen.map((e) => e.id)).size).toBe(12);
  });

  it("refuses bad parameters with 400", async () => {
    expect((await api("/api/events?limit=0")).status).toBe(400);
    expect((await api("/api/events?platform=bitbucket")).status).toBe(400);
    expect((await api("/api/events?since=yesterday")).status).toBe(400);
    expect((await api("/api/events?cursor=garbage")).status).toBe(400);
  });
});

describe("GET /api/events/:id", () => {
  it("returns the unified event, its platform rows and the raw delivery", async () => {
    const r = await api(`/api/events/${ids[1]}`);
    expect(r.status).toBe(200);
    expect(r.json.event).toMatchObject({
      id: ids[1],
      platform: "deploy",
      type: "deploy.succeeded",
      subject: `deploy:generic:api-1-${repo}`,
    });
    expect(r.json.rows.deployment).toMatchObject({ deployId: `api-1-${repo}`, environment: "production" });
    expect(JSON.parse(r.json.raw.body)).toMatchObject({ id: `api-1-${repo}` });
    expect(r.json.raw.headers["webhook-id"]).toMatch(/^msg_/);
  });
  it("answers 404 and 400", async () => {
    expect((await api(`/api/events/${randomUUID()}`)).status).toBe(404);
    expect((await api(`/api/events/not-a-uuid`)).status).toBe(400);
  });
});
