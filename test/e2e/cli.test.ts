import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKENS, isolatedDatabase, startTestService, testPrisma, waitFor } from "../helpers/service.js";
import { post } from "../../kit/sign.js";
import { story } from "../helpers/story.js";

const exec = promisify(execFile);
const run = (url: string, args: string[]) =>
  exec(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
    env: { ...process.env, SWITCHYARD_URL: url, SWITCHYARD_TOKEN: API_TOKENS[0], DATABASE_URL: db.url },
  });
// A schema of its own: `replay` re-processes every delivery of the schema it is pointed at.
let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let ctx: Awaited<ReturnType<typeof startTestService>>;
let prisma: ReturnType<typeof testPrisma>;
const s = story("cli");
let startedAt: Date;

/** For scripts: `--json` prints the API's JSON (stdout parses as JSON, nothing else on it). */
async function cli(...args: string[]): Promise<any> {
  const { stdout } = await run(ctx.url, ["--json", ...args]);
  return JSON.parse(stdout);
}

/** For people: what is printed without --json. */
async function human(...args: string[]): Promise<string> {
  return (await run(ctx.url, args)).stdout;
}

/** A command that fails: its exit code and both streams. */
async function failing(url: string, ...args: string[]) {
  const err = await run(url, args).then(
    () => expect.fail(`switchyard ${args.join(" ")} succeeded`),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  return { code: err.code, stdout: err.stdout, stderr: err.stderr };
}

beforeAll(async () => {
  db = await isolatedDatabase();
  prisma = testPrisma(db.url);
  ctx = await startTestService({ DATABASE_URL: db.url });
  startedAt = new Date();
  for (const step of s.steps) {
    const res = await post(`${ctx.url}/webhooks/${step.platform}`, await step.request());
    await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id } }));
  }
}, 60_000);
afterAll(async () => {
  await ctx.service.close();
  await prisma.$disconnect();
  await db.drop();
});

// Each command is a process of its own (tsx): a few seconds apiece on a busy machine.
describe("switchyard CLI", { timeout: 60_000 }, () => {
  it("entity, deploy changes and dora", async () => {
    // --json is global: accepted after the subcommand too.
    const entity = JSON.parse(await human("entity", `linear:issue:${s.issue}`, "--depth", "2", "--json"));
    expect(entity.entity.key).toBe(`linear:issue:${s.issue}`);
    expect(entity.links.length).toBeGreaterThan(5);
    const changes = await cli("deploy", "changes", `deploy:generic:${s.deploy("us-1")}`);
    expect(changes.pullRequests.map((p: any) => p.number)).toEqual([7]);
    const dora = await cli(
      "dora",
      "--repository",
      s.repo,
      "--environment",
      "production-us",
      "--since",
      "2026-10-31T00:00:00Z",
      "--until",
      "2026-11-03T00:00:00Z",
    );
    expect(dora.deploymentFrequency.deploys).toBe(3);
  });

  it("rules add, list, test, backfill --wait, disable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sy-cli-"));
    // Scoped to this file's repository: other files running meanwhile share the schema.
    const rule = {
      name: "cli-rule",
      on: "github.pull_request.*",
      where: { "payload.repository.full_name": s.repo },
      extract: { field: "payload.pull_request.title", pattern: "(Retry) checkout" },
      link: { to: "linear:issue:CLI-$1", relation: "references", confidence: 0.5 },
    };
    writeFileSync(join(dir, "rule.json"), JSON.stringify(rule));
    writeFileSync(
      join(dir, "event.json"),
      JSON.stringify({
        type: "github.pull_request.opened",
        subject: "github:pr:a/b#1",
        payload: { repository: { full_name: s.repo }, pull_request: { title: "Retry checkout" } },
      }),
    );
    expect((await cli("rules", "add", join(dir, "rule.json"))).name).toBe("cli-rule");
    expect((await cli("rules", "list")).items.map((r: any) => r.name)).toContain("cli-rule");
    expect((await cli("rules", "test", join(dir, "rule.json"), join(dir, "event.json"))).links[0].to).toBe(
      "linear:issue:CLI-Retry",
    );
    const job = await cli("rules", "backfill", "cli-rule", "--wait");
    expect(job.state).toBe("completed");
    expect(await prisma.link.count({ where: { rule: "cli-rule", fromKey: `github:pr:${s.repo}#7` } })).toBe(1);
    expect((await cli("rules", "disable", "cli-rule")).enabled).toBe(false);
    await expect(cli("rules", "add", join(dir, "rule.json"))).rejects.toThrow(/409/);
    // With --json the API's error answer goes to stderr too, for scripts; stdout stays empty.
    const refused = await failing(ctx.url, "--json", "rules", "add", join(dir, "rule.json"));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(JSON.parse(refused.stderr.split("\n")[0]!)).toEqual({
      error: expect.stringMatching(/rule cli-rule exists/),
    });
  });

  it("replay re-processes stored deliveries without changing the graph", async () => {
    const before = await prisma.link.findMany({
      where: { fromKey: { contains: s.repo } },
      orderBy: { id: "asc" },
      select: { fromKey: true, toKey: true, relation: true, rule: true, evidence: true },
    });
    const { stdout, stderr } = await run(ctx.url, [
      "replay",
      "--platform",
      "deploy",
      "--since",
      startedAt.toISOString(),
    ]);
    // No progress bar off a terminal: stderr stays empty.
    expect(stderr).toBe("");
    const result = { replayed: Number(/^replayed (\d+) deliveries; 0 unprocessable$/m.exec(stdout)?.[1]) };
    expect(result.replayed).toBeGreaterThanOrEqual(s.steps.filter((x) => x.platform === "deploy").length);
    const after = await prisma.link.findMany({
      where: { fromKey: { contains: s.repo } },
      orderBy: { id: "asc" },
      select: { fromKey: true, toKey: true, relation: true, rule: true, evidence: true },
    });
    expect(after).toEqual(before);
  });

  it("prints for people: a tree of links, tables, aligned DORA figures", async () => {
    const entity = await human("entity", `linear:issue:${s.issue}`, "--depth", "2");
    expect(entity).toMatch(/^Links \(\d+\)$/m);
    expect(entity).toMatch(new RegExp(`^[├└]─ closes ← github:pr:${s.repo}#7 .*Retry checkout on slow networks`, "m"));
    // Second level: the PR's own links hang under it.
    expect(entity).toMatch(/^│ {2}[├└]─ \w+ [←→] /m);
    expect(entity).toMatch(/^Timeline \(\d+\)\nOCCURRED\s+TYPE\s+ACTOR\s+EVENT ID$/m);

    const changes = await human("deploy", "changes", `deploy:generic:${s.deploy("us-1")}`);
    expect(changes).toMatch(/^environment\s+production-us$/m);
    expect(changes).toMatch(/^Pull requests \(1\)\n#\s+TITLE\s+MERGED\n7\s+Retry checkout on slow networks\s+2026-/m);

    const dora = await human(
      "dora",
      "--repository",
      s.repo,
      "--environment",
      "production-us",
      "--since",
      "2026-10-31T00:00:00Z",
      "--until",
      "2026-11-03T00:00:00Z",
    );
    const figures = dora.split("\n").filter((l) => /^(Deployment|Change|Failed deployment)/.test(l));
    expect(figures).toHaveLength(5);
    expect(figures[0]).toMatch(/^Deployment frequency\s+1\.00\/day {2}3 successful deploys · elite$/);
    expect(figures[4]).toMatch(/^Deployment rework rate\s+\S+ %/);
    // Aligned: every headline figure ends in the same column.
    const ends = figures.map((l) => /^.{31} +\S+( \S+)?(?= {2})/.exec(l)?.[0].length);
    expect(new Set(ends).size).toBe(1);
  });

  it("lists events, deliveries and rules as tables, with the next page's cursor", async () => {
    const events = await human("events", "--platform", "deploy", "--limit", "1");
    const [head, row, more] = events.trimEnd().split("\n");
    expect(head).toMatch(/^OCCURRED\s+TYPE\s+SUBJECT\s+ACTOR\s+ID$/);
    expect(row).toMatch(/\sdeploy\.\w+\s+deploy:generic:/);
    expect(more).toMatch(/^more: --cursor \S+$/);
    const next = await human("events", "--platform", "deploy", "--limit", "1", "--cursor", more!.slice(15));
    expect(next.split("\n")[1]).toMatch(/\sdeploy\.\w+\s/);
    expect(next.split("\n")[1]).not.toBe(row);

    const deliveries = await human("deliveries", "--platform", "deploy", "--status", "stored");
    expect(deliveries.split("\n")[0]).toMatch(/^RECEIVED\s+PLATFORM\s+STATUS\s+DELIVERY ID\s+ID/);
    expect(deliveries).toMatch(/\sdeploy\s+stored\s/);

    const rules = await human("rules", "list");
    expect(rules).toMatch(/^pr-head-commit\s+built-in\s+yes\s+contains\s+1\s/m);

    const dir = mkdtempSync(join(tmpdir(), "sy-cli-"));
    const rule = {
      name: "dry-run-only",
      on: "github.pull_request.*",
      extract: { field: "payload.pull_request.title", pattern: "(Retry) checkout" },
      link: { to: "linear:issue:CLI-$1", relation: "references", confidence: 0.5 },
    };
    writeFileSync(join(dir, "rule.json"), JSON.stringify(rule));
    writeFileSync(
      join(dir, "event.json"),
      JSON.stringify({
        type: "github.pull_request.opened",
        subject: "github:pr:a/b#1",
        payload: { pull_request: { title: "Retry checkout" } },
      }),
    );
    expect((await human("rules", "test", join(dir, "rule.json"), join(dir, "event.json"))).split("\n")).toEqual([
      "FROM             RELATION    TO                      CONFIDENCE",
      "github:pr:a/b#1  references  linear:issue:CLI-Retry  0.5",
      "",
    ]);
  });

  it("says what went wrong on stderr, with a non-zero exit", async () => {
    const missing = await failing(ctx.url, "entity", "linear:issue:NOPE-404");
    expect(missing).toMatchObject({ code: 1, stdout: "", stderr: "switchyard: 404 no such entity\n" });
    const badToken = await exec(process.execPath, ["--import", "tsx", "src/cli.ts", "rules", "list"], {
      env: { ...process.env, SWITCHYARD_URL: ctx.url, SWITCHYARD_TOKEN: "not-a-token" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(badToken).toMatchObject({ code: 1, stderr: expect.stringMatching(/^switchyard: 401 .*SWITCHYARD_TOKEN/) });
    const unreachable = await failing("http://127.0.0.1:9", "rules", "list");
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^switchyard: cannot reach http:\/\/127\.0\.0\.1:9 .*SWITCHYARD_URL/);
    const badReplay = await failing(ctx.url, "replay", "--delivery", "not-a-uuid");
    expect(badReplay.stderr).toMatch(/--delivery takes raw delivery ids/);
  });
});

describe("switchyard subscriptions (contract §9 API)", { timeout: 60_000 }, () => {
  // A loopback server answering as the §9 API does, so the commands' requests and output are checked.
  const seen: Array<{ method: string; url: string; auth?: string; body: string }> = [];
  const sub = {
    name: "ship-notes",
    kind: "webhook",
    url: "https://ci.example.com/hooks/switchyard",
    types: ["issue.shipped", "deploy.*"],
    where: { environment: "prod*" },
    enabled: true,
  };
  const attempts = {
    items: [
      {
        id: "msg-9",
        type: "deploy.succeeded",
        status: "dead",
        attempts: 8,
        lastStatusCode: 500,
        lastError: "Internal Server Error",
        nextAttemptAt: null,
        createdAt: "2026-11-02T09:00:00Z",
      },
    ],
    next: null,
  };
  const answers: Record<string, [number, unknown]> = {
    "GET /api/subscriptions": [200, { items: [sub] }],
    "POST /api/subscriptions": [201, { ...sub, secret: "whsec_c2VjcmV0LXNob3duLW9uY2U=" }],
    "POST /api/subscriptions/ship-notes/test": [
      202,
      { id: "msg-1", status: "/api/subscriptions/ship-notes/deliveries/msg-1" },
    ],
    "GET /api/subscriptions/ship-notes/deliveries?status=dead": [200, attempts],
    "POST /api/subscriptions/ship-notes/deliveries/msg-9/retry": [202, { id: "msg-9", attempt: 9, status: "pending" }],
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const [status, answer] = answers[`${req.method} ${req.url}`] ?? [404, { error: "no such subscription" }];
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  let url = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("list, add, test, deliveries --status, retry: the contract's requests, printed for people", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sy-sub-"));
    writeFileSync(join(dir, "sub.json"), JSON.stringify(sub));
    const [list, added, tested, dead, retried] = await Promise.all([
      run(url, ["subscriptions", "list"]),
      run(url, ["subscriptions", "add", join(dir, "sub.json")]),
      run(url, ["subscriptions", "test", "ship-notes"]),
      run(url, ["subscriptions", "deliveries", "ship-notes", "--status", "dead"]),
      run(url, ["subscriptions", "retry", "ship-notes", "msg-9"]),
    ]);
    expect(list.stdout.split("\n").slice(0, 2)).toEqual([
      "NAME        KIND     TO                                       " +
        "TYPES                   WHERE              ENABLED",
      "ship-notes  webhook  https://ci.example.com/hooks/switchyard  issue.shipped,deploy.*  environment=prod*  yes",
    ]);
    expect(added.stdout).toBe(
      "subscription ship-notes (webhook) created\n" +
        "secret: whsec_c2VjcmV0LXNob3duLW9uY2U=\n" +
        "keep it now: it is not shown again\n",
    );
    expect(tested.stdout).toBe(
      "test message msg-1 queued for ship-notes; see it with: switchyard subscriptions deliveries ship-notes\n",
    );
    expect(dead.stdout).toMatch(/^CREATED\s+ID\s+TYPE\s+STATUS\s+ATTEMPTS\s+LAST CODE\s+NEXT ATTEMPT\s+LAST ERROR\n/);
    expect(dead.stdout).toMatch(/msg-9\s+deploy\.succeeded\s+dead\s+8\s+500\s+Internal Server Error/);
    expect(retried.stdout).toBe("message msg-9 of ship-notes is pending again (attempt 9)\n");
    expect(seen.map((r) => `${r.method} ${r.url}`).sort()).toEqual(Object.keys(answers).sort());
    expect(new Set(seen.map((r) => r.auth))).toEqual(new Set([`Bearer ${API_TOKENS[0]}`]));
    expect(JSON.parse(seen.find((r) => r.method === "POST" && r.url === "/api/subscriptions")!.body)).toEqual(sub);
  });

  it("against the service: add prints the secret once, list and deliveries show it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sy-sub-"));
    // Matches nothing this file sends: no message is ever due.
    const mine = { name: "cli-sub", kind: "webhook", url: "https://hooks.example.com/cli", types: ["pr.shipped"] };
    writeFileSync(join(dir, "sub.json"), JSON.stringify({ ...mine, where: { repository: "nobody/none" } }));
    const added = await human("subscriptions", "add", join(dir, "sub.json"));
    expect(added).toMatch(/^subscription cli-sub \(webhook\) created\nsecret: whsec_\S+\nkeep it now/);
    const list = await human("subscriptions", "list");
    expect(list).toMatch(
      /^cli-sub\s+webhook\s+https:\/\/hooks\.example\.com\/cli\s+pr\.shipped\s+repository=nobody\/none\s+yes$/m,
    );
    expect(list).not.toContain("whsec_");
    expect(await human("subscriptions", "deliveries", "cli-sub", "--status", "dead")).toBe("no deliveries\n");
    expect((await cli("subscriptions", "list")).items.map((x: any) => x.name)).toContain("cli-sub");
  });

  it("against the service: disable, enable, delete; list says why the service disabled one", async () => {
    const name = "cli-toggle";
    const dir = mkdtempSync(join(tmpdir(), "sy-sub-"));
    const mine = { name, kind: "webhook", url: "https://hooks.example.com/toggle", types: ["pr.shipped"] };
    writeFileSync(join(dir, "sub.json"), JSON.stringify({ ...mine, where: { repository: "nobody/none" } }));
    await human("subscriptions", "add", join(dir, "sub.json"));

    expect(await human("subscriptions", "disable", name)).toBe(`subscription ${name} disabled\n`);
    expect(await prisma.subscription.findUnique({ where: { name } })).toMatchObject({ enabled: false });
    // As the relay leaves a subscription whose endpoint answered 410 (contract §9).
    const reason = "the endpoint answered 410 Gone at 2026-11-02T09:00:00.000Z";
    await prisma.subscription.update({ where: { name }, data: { disabledReason: reason } });
    const list = await human("subscriptions", "list");
    expect(list).toMatch(/^NAME\s+KIND\s+TO\s+TYPES\s+WHERE\s+ENABLED\s+DISABLED BECAUSE$/m);
    expect(list).toMatch(
      new RegExp(
        `^${name}\\s+webhook\\s+https://hooks\\.example\\.com/toggle\\s+pr\\.shipped\\s+\\S+\\s+no\\s+${reason}$`,
        "m",
      ),
    );

    // PUT {"enabled": true}: enabling clears the reason.
    expect(await cli("subscriptions", "enable", name)).toMatchObject({ name, enabled: true, disabledReason: null });
    expect(await human("subscriptions", "list")).toMatch(new RegExp(`^${name}\\s.*\\syes$`, "m"));
    expect(await human("subscriptions", "disable", name, "--json")).toMatch(/"enabled": false/);
    expect(await human("subscriptions", "enable", name)).toBe(`subscription ${name} enabled\n`);

    expect(await human("subscriptions", "delete", name)).toBe(`subscription ${name} deleted\n`);
    expect(await prisma.subscription.findUnique({ where: { name } })).toBeNull();
    const again = await failing(ctx.url, "subscriptions", "delete", name);
    expect(again).toMatchObject({ code: 1, stdout: "", stderr: "switchyard: 404 no such subscription\n" });
    const gone = await failing(ctx.url, "subscriptions", "enable", name);
    expect(gone).toMatchObject({ code: 1, stderr: "switchyard: 404 no such subscription\n" });
  });

  it("--json prints the API's answer as it came; a refusal goes to stderr", async () => {
    const { stdout } = await run(url, ["--json", "subscriptions", "deliveries", "ship-notes", "--status", "dead"]);
    expect(JSON.parse(stdout)).toEqual(attempts);
    const missing = await failing(url, "subscriptions", "deliveries", "nope");
    expect(missing).toMatchObject({ code: 1, stdout: "", stderr: "switchyard: 404 no such subscription\n" });
  });
});
