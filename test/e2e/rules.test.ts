import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKENS, SECRETS, isolatedDatabase, startTestService, testPrisma, waitFor } from "../helpers/service.js";
import { githubRequest, linearRequest, post, slackRequest } from "../../kit/sign.js";
import { checkAnswer } from "../helpers/answers.js";

// This file switches built-in rules off: it runs on a schema of its own.
let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let ctx: Awaited<ReturnType<typeof startTestService>>;
let prisma: ReturnType<typeof testPrisma>;
const repo = `acme/rules-${randomUUID().slice(0, 6)}`;
const call = (method: string, path: string, body?: unknown) =>
  fetch(`${ctx.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => {
    const json = r.status === 204 ? null : ((await r.json()) as any);
    checkAnswer(method, path, r.status, json ?? undefined);
    return { status: r.status, json };
  });

const rule = (over: Record<string, unknown> = {}) => ({
  name: "ops-keys-in-pr-titles",
  on: "github.pull_request.*",
  where: { "payload.pull_request.base.ref": "main" },
  extract: { field: "payload.pull_request.title", pattern: "\\b(OPS-[0-9]+)\\b" },
  link: { to: "linear:issue:$1", relation: "references", confidence: 0.8 },
  ...over,
});

async function sendPr(number: number, title: string, base = "main") {
  const payload = {
    action: "opened",
    number,
    repository: { full_name: repo },
    sender: { login: "alice" },
    pull_request: {
      number,
      title,
      body: "",
      state: "open",
      head: { ref: `b${number}`, sha: "9".repeat(40) },
      base: { ref: base },
      updated_at: new Date().toISOString(),
    },
  };
  const res = await post(
    `${ctx.url}/webhooks/github`,
    await githubRequest("pull_request", payload, SECRETS.github[0]!),
  );
  expect(res.status).toBe(202);
  await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id } }));
}
const linksOf = (ruleName: string) =>
  prisma.link.findMany({
    where: { rule: ruleName, fromKey: { startsWith: `github:pr:${repo}` } },
    orderBy: { toKey: "asc" },
  });

beforeAll(async () => {
  db = await isolatedDatabase();
  prisma = testPrisma(db.url);
  ctx = await startTestService({ DATABASE_URL: db.url });
});
afterAll(async () => {
  await ctx.service.close();
  await prisma.$disconnect();
  await db.drop();
});

describe("custom rules", () => {
  it("refuses invalid rules with a message per problem", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...rule(), colour: "red" }, /colour|unrecognized/i],
      [rule({ on: "github.pull request" }), /^on: /m],
      [
        rule({ extract: { field: "payload.pull_request.title", pattern: "(OPS)-\\1" } }),
        /extract\.pattern: .*invalid escape/,
      ],
      [
        rule({ extract: { field: "payload.pull_request.title", pattern: "(?<=x)OPS-[0-9]+" } }),
        /extract\.pattern: .*lookbehind are not supported/,
      ],
      [
        rule({ link: { to: "linear:issue:$2", relation: "references", confidence: 0.8 } }),
        /uses \$2 but extract\.pattern has 1 capture group/,
      ],
      [rule({ link: { to: "linear:issue:$1", relation: "references", confidence: 1.5 } }), /link\.confidence/],
      [rule({ name: "slack-url" }), /name is taken by a built-in rule/],
    ];
    for (const [body, message] of cases) {
      const res = await call("POST", "/api/rules", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error).toMatch(message);
    }
  });

  it("runs patterns in linear time: a catastrophic-backtracking pattern is harmless", async () => {
    const evil = rule({
      name: "evil",
      extract: { field: "payload.text", pattern: "^(a+)+$" },
      link: { to: "linear:issue:X-$1", relation: "references", confidence: 0.1 },
    });
    const res = await call("POST", "/api/rules/test", {
      rule: evil,
      event: {
        type: "github.pull_request.opened",
        subject: "github:pr:a/b#1",
        payload: { text: `${"a".repeat(50_000)}!` },
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.links).toEqual([]);
  });

  it("dry-runs a rule against an event without storing anything", async () => {
    const res = await call("POST", "/api/rules/test", {
      rule: rule(),
      event: {
        type: "github.pull_request.opened",
        subject: "github:pr:acme/web#3",
        payload: { pull_request: { title: "OPS-12: fix OPS-13", base: { ref: "main" } } },
      },
    });
    expect(res.json.links).toEqual([
      {
        from: "github:pr:acme/web#3",
        to: "linear:issue:OPS-12",
        relation: "references",
        rule: "ops-keys-in-pr-titles",
        confidence: 0.8,
      },
      {
        from: "github:pr:acme/web#3",
        to: "linear:issue:OPS-13",
        relation: "references",
        rule: "ops-keys-in-pr-titles",
        confidence: 0.8,
      },
    ]);
    const other = await call("POST", "/api/rules/test", {
      rule: rule(),
      event: {
        type: "github.pull_request.opened",
        subject: "github:pr:acme/web#3",
        payload: { pull_request: { title: "OPS-12", base: { ref: "develop" } } },
      },
    });
    expect(other.json.links).toEqual([]);
  });

  it("creates, applies live, backfills history idempotently, versions, disables and deletes", async () => {
    await sendPr(1, "OPS-7 before the rule existed");
    await sendPr(2, "OPS-8 not on main", "develop");
    const created = await call("POST", "/api/rules", rule());
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "ops-keys-in-pr-titles", builtin: false, enabled: true, version: 1 });
    expect((await call("POST", "/api/rules", rule())).status).toBe(409);
    expect((await call("GET", "/api/rules")).json.items.map((r: any) => r.name)).toEqual(
      expect.arrayContaining(["ops-keys-in-pr-titles", "slack-url", "deploy-range"]),
    );

    await sendPr(3, "OPS-9 after the rule");
    expect((await linksOf("ops-keys-in-pr-titles")).map((l) => l.toKey)).toEqual(["linear:issue:OPS-9"]);

    for (let run = 0; run < 2; run++) {
      const job = await call("POST", "/api/rules/ops-keys-in-pr-titles/backfill");
      expect(job.status).toBe(202);
      const done = await waitFor(async () => {
        const j = await call("GET", `/api/jobs/${job.json.job}`);
        return j.json.state === "completed" ? j.json : null;
      }, 20_000);
      expect(done.progress.processed).toBe(done.progress.total);
      expect(done.progress.total).toBeGreaterThanOrEqual(3);
      expect((await linksOf("ops-keys-in-pr-titles")).map((l) => l.toKey)).toEqual([
        "linear:issue:OPS-7",
        "linear:issue:OPS-9",
      ]);
    }
    expect((await call("GET", "/api/jobs/nope")).status).toBe(404);

    const updated = await call(
      "PUT",
      "/api/rules/ops-keys-in-pr-titles",
      rule({ link: { to: "linear:issue:$1", relation: "references", confidence: 0.6 } }),
    );
    expect(updated.json).toMatchObject({ version: 2, definition: { link: { confidence: 0.6 } } });
    expect(await prisma.ruleVersion.count({ where: { name: "ops-keys-in-pr-titles" } })).toBe(2);

    expect((await call("PUT", "/api/rules/ops-keys-in-pr-titles", { enabled: false })).json.enabled).toBe(false);
    await sendPr(4, "OPS-10 while disabled");
    expect((await linksOf("ops-keys-in-pr-titles")).map((l) => l.toKey)).not.toContain("linear:issue:OPS-10");

    expect((await call("DELETE", "/api/rules/ops-keys-in-pr-titles")).status).toBe(204);
    expect(await linksOf("ops-keys-in-pr-titles")).toEqual([]);
    expect((await call("GET", "/api/rules/ops-keys-in-pr-titles")).status).toBe(404);
  });

  it("backfills a custom rule whose name is also an Object.prototype key", async () => {
    await sendPr(21, "OPS-21 before the rule existed");
    expect((await call("POST", "/api/rules", rule({ name: "constructor" }))).status).toBe(201);
    const job = await call("POST", "/api/rules/constructor/backfill");
    expect(job.status).toBe(202);
    const done = await waitFor(async () => {
      const j = await call("GET", `/api/jobs/${job.json.job}`);
      return j.json.state === "completed" || j.json.state === "failed" ? j.json : null;
    }, 20_000);
    expect(done.state).toBe("completed");
    expect((await linksOf("constructor")).map((l) => l.toKey)).toContain("linear:issue:OPS-21");
    expect((await call("DELETE", "/api/rules/constructor")).status).toBe(204);
  });

  it("switches a built-in rule off and on", async () => {
    const slackMessage = (id: string) =>
      slackRequest(
        JSON.stringify({
          type: "event_callback",
          team_id: "T1",
          event_id: id,
          event_time: 1,
          event: {
            type: "message",
            channel: "CRULES",
            user: "U1",
            ts: `1700000000.${id.slice(-6)}`,
            text: `see https://github.com/${repo}/pull/5`,
          },
        }),
        "application/json",
        SECRETS.slack[0]!,
      );
    expect((await call("PUT", "/api/rules/slack-url", { enabled: false })).json).toMatchObject({
      name: "slack-url",
      builtin: true,
      enabled: false,
    });
    expect((await call("PUT", "/api/rules/slack-url", { definition: {} })).status).toBe(422);
    const off = await post(`${ctx.url}/webhooks/slack`, slackMessage("Ev000001"));
    await waitFor(() => prisma.event.findUnique({ where: { id: off.json.id } }));
    await call("PUT", "/api/rules/slack-url", { enabled: true });
    const on = await post(`${ctx.url}/webhooks/slack`, slackMessage("Ev000002"));
    await waitFor(() => prisma.event.findUnique({ where: { id: on.json.id } }));
    const links = await prisma.link.findMany({ where: { rule: "slack-url", toKey: `github:pr:${repo}#5` } });
    expect(links.map((l) => l.fromKey)).toEqual(["slack:message:CRULES/1700000000.000002"]);
  });
});

describe("false positives", () => {
  const teamsTitle =
    "refuses dates, version strings and keys of teams never seen, and links a team's keys once it appears";
  it(teamsTitle, async () => {
    const team = `Q${randomUUID()
      .slice(0, 4)
      .replace(/[^a-z]/g, "x")
      .toUpperCase()}`;
    const linear = (identifier: string) =>
      linearRequest(
        {
          action: "create",
          type: "Issue",
          data: {
            id: randomUUID(),
            identifier,
            number: Number(identifier.split("-")[1]),
            title: "t",
            team: { key: identifier.split("-")[0] },
          },
          actor: { name: "a" },
        },
        SECRETS.linear[0]!,
      );
    await post(`${ctx.url}/webhooks/linear`, linear("ENG-1"));
    const payload = {
      action: "opened",
      number: 40,
      repository: { full_name: repo },
      sender: { login: "alice" },
      pull_request: {
        number: 40,
        title: "Bump to v1.57.0",
        body: `Fixes the 2023-04-11-245a825 build\nFixes ${team}-9`,
        state: "open",
        head: { ref: "release/2023-04-11", sha: "8".repeat(40) },
        base: { ref: "main" },
        updated_at: new Date().toISOString(),
      },
    };
    const res = await post(
      `${ctx.url}/webhooks/github`,
      await githubRequest("pull_request", payload, SECRETS.github[0]!),
    );
    await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id } }));
    const linearLinks = () =>
      prisma.link.findMany({ where: { fromKey: `github:pr:${repo}#40`, toKey: { startsWith: "linear:" } } });
    expect(await linearLinks()).toEqual([]);
    const later = await post(`${ctx.url}/webhooks/linear`, linear(`${team}-3`));
    await waitFor(() => prisma.event.findUnique({ where: { id: later.json.id } }));
    expect((await linearLinks()).map((l) => `${l.relation} ${l.toKey} ${l.rule}`)).toEqual([
      `closes linear:issue:${team}-9 linear-magic-word`,
    ]);
  });
});
