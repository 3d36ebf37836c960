import { execFile } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKENS, isolatedDatabase, startTestService, testPrisma, waitFor } from "./helpers/service.js";
import { post } from "./helpers/sign.js";
import { story } from "./helpers/story.js";

const exec = promisify(execFile);
// A schema of its own: `replay` re-processes every delivery of the schema it is pointed at.
let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let ctx: Awaited<ReturnType<typeof startTestService>>;
let prisma: ReturnType<typeof testPrisma>;
const s = story("cli");
let startedAt: Date;

async function cli(...args: string[]): Promise<any> {
  const { stdout } = await exec(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
    env: { ...process.env, SWITCHYARD_URL: ctx.url, SWITCHYARD_TOKEN: API_TOKENS[0], DATABASE_URL: db.url },
  });
  return JSON.parse(stdout);
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

describe("switchyard CLI", () => {
  it("entity, deploy changes and dora", async () => {
    const entity = await cli("entity", `linear:issue:${s.issue}`, "--depth", "2");
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
  });

  it("replay re-processes stored deliveries without changing the graph", async () => {
    const before = await prisma.link.findMany({
      where: { fromKey: { contains: s.repo } },
      orderBy: { id: "asc" },
      select: { fromKey: true, toKey: true, relation: true, rule: true, evidence: true },
    });
    const result = await cli("replay", "--platform", "deploy", "--since", startedAt.toISOString());
    expect(result.replayed).toBeGreaterThanOrEqual(s.steps.filter((x) => x.platform === "deploy").length);
    const after = await prisma.link.findMany({
      where: { fromKey: { contains: s.repo } },
      orderBy: { id: "asc" },
      select: { fromKey: true, toKey: true, relation: true, rule: true, evidence: true },
    });
    expect(after).toEqual(before);
  });
});
