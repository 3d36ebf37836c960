// Groups by API and CLI (issue 16): a team or a service as repository globs and service names.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { API_TOKENS, SECRETS, useTestService } from "../helpers/service.js";
import { apiCall } from "../helpers/api-call.js";
import { deployRequest, post } from "../../kit/sign.js";
import { deployStatus } from "../../kit/payloads.js";

const ctx = useTestService();
const exec = promisify(execFile);

const call = apiCall(ctx);

const cli = (...args: string[]) =>
  exec(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
    env: { ...process.env, SWITCHYARD_URL: ctx.url, SWITCHYARD_TOKEN: API_TOKENS[0] },
  });
const failing = (...args: string[]) =>
  cli(...args).then(
    () => expect.fail(`switchyard ${args.join(" ")} succeeded`),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe("/api/groups", () => {
  it("PUT creates (201) then replaces (200); GET lists and shows; DELETE removes (204), then 404", async () => {
    const name = `payments-${randomBytes(3).toString("hex")}`;
    const created = await call("PUT", `/api/groups/${name}`, { repositories: ["acme/*"], description: "Payments" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name, description: "Payments", repositories: ["acme/*"], services: [] });
    const replaced = await call("PUT", `/api/groups/${name}`, { repositories: ["acme/web"], services: ["checkout"] });
    expect(replaced.status).toBe(200);
    // The whole group is replaced: the description not given is gone; created stays, updated moves.
    expect(replaced.json).toMatchObject({ description: null, repositories: ["acme/web"], services: ["checkout"] });
    expect(replaced.json.createdAt).toBe(created.json.createdAt);
    expect(Date.parse(replaced.json.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.json.updatedAt));
    expect((await call("GET", `/api/groups/${name}`)).json).toEqual(replaced.json);
    const list = await call("GET", "/api/groups");
    expect(list.json.items.filter((g: any) => g.name === name)).toEqual([replaced.json]);
    expect((await call("DELETE", `/api/groups/${name}`)).status).toBe(204);
    expect((await call("GET", `/api/groups/${name}`)).status).toBe(404);
    expect((await call("DELETE", `/api/groups/${name}`)).status).toBe(404);
  });

  it("refuses bad bodies and names with 422, every problem listed", async () => {
    const refused = async (name: string, body: unknown, ...problems: RegExp[]) => {
      const res = await call("PUT", `/api/groups/${name}`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      for (const p of problems) expect(res.json.error).toMatch(p);
      expect((await call("GET", `/api/groups/${name}`)).status).toBe(404);
    };
    await refused("empty-group", {}, /at least one repository glob or service/);
    await refused("bad-globs", { repositories: ["acme", "a/b/c"] }, /repositories\.0: owner\/repo/, /repositories\.1/);
    await refused("bad-service", { services: ["ok", ""] }, /services\.1: must not be empty/);
    await refused("Bad Name", { repositories: ["a/b"] }, /name: lower-case/);
    await refused("extra-field", { repositories: ["a/b"], owner: "me" }, /owner/i);
    await refused("not-lists", { repositories: "acme/*" }, /repositories/);
    await refused("too-many", { repositories: Array.from({ length: 101 }, (_, i) => `a/r${i}`) }, /at most 100/);
  });

  it("GET /api/repositories lists repositories with their counts and the groups that hold them", async () => {
    const ns = randomBytes(3).toString("hex");
    const repo = `shop-${ns}/cart`;
    for (const [i, status] of ["succeeded", "failed"].entries()) {
      const body = deployStatus({
        id: `grp-${ns}-${i}`,
        repository: repo,
        environment: "production",
        status,
        sha: "c".repeat(40),
        url: `https://ci.example.com/${ns}/${i}`,
        startedAt: `2026-11-0${i + 1}T10:00:00Z`,
        finishedAt: `2026-11-0${i + 1}T10:05:00Z`,
        extra: { service: `cart-${ns}` },
      });
      expect((await post(`${ctx.url}/webhooks/deploy`, deployRequest(body, SECRETS.deploy[0]!))).status).toBe(202);
    }
    await call("PUT", `/api/groups/by-glob-${ns}`, { repositories: [`SHOP-${ns}/*`] });
    await call("PUT", `/api/groups/by-service-${ns}`, { services: [`Cart-${ns}`] });
    await call("PUT", `/api/groups/neither-${ns}`, { repositories: [`shop-${ns}/carts`] });
    let mine: any;
    for (let i = 0; i < 100 && mine?.deploys !== 2; i++) {
      mine = (await call("GET", "/api/repositories")).json.items.find((r: any) => r.repository === repo);
      if (mine?.deploys !== 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(mine).toEqual({
      repository: repo,
      services: [`cart-${ns}`],
      deploys: 2,
      pullRequests: 0,
      lastDeployAt: "2026-11-01T10:05:00.000Z", // the failed one is later, but not a deploy that happened
      groups: [`by-glob-${ns}`, `by-service-${ns}`],
    });
  });
});

describe("switchyard groups", { timeout: 120_000 }, () => {
  it("put, get, list, delete, for people and --json; refusals on stderr", async () => {
    const name = `cli-${randomBytes(3).toString("hex")}`;
    const put = await cli("groups", "put", name, "--repo", "acme/*", "--repo", "beta/web", "--service", "billing");
    expect(put.stdout.split("\n").slice(0, 4)).toEqual([
      `group         ${name}`,
      "repositories  acme/*, beta/web",
      "services      billing",
      expect.stringMatching(/^updated\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
    ]);
    const got = JSON.parse((await cli("--json", "groups", "get", name)).stdout);
    expect(got).toMatchObject({ name, repositories: ["acme/*", "beta/web"], services: ["billing"], description: null });
    const list = (await cli("groups")).stdout.split("\n");
    expect(list[0]).toMatch(/^NAME\s+REPOSITORIES\s+SERVICES\s+DESCRIPTION$/);
    expect(list.find((l) => l.startsWith(name))).toMatch(new RegExp(`^${name}\\s+acme/\\*, beta/web\\s+billing$`));
    await cli("groups", "put", name, "--service", "billing", "--description", "Billing team");
    expect(JSON.parse((await cli("--json", "groups", "list")).stdout).items).toContainEqual(
      expect.objectContaining({ name, repositories: [], description: "Billing team" }),
    );
    expect((await cli("groups", "delete", name)).stdout).toBe(`group ${name} deleted\n`);
    const gone = await failing("groups", "get", name);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe("switchyard: 404 no such group\n");
    const bad = await failing("groups", "put", name);
    expect(bad.stderr).toMatch(/^switchyard: 422 body: list at least one repository glob or service/);
  });

  it("lead-time needs exactly one of --repository and --group, and prints the stages", async () => {
    expect((await failing("lead-time")).stderr).toBe("switchyard: give --repository or --group\n");
    const out = (await cli("lead-time", "--repository", "nobody/nothing")).stdout.split("\n");
    expect(out[0]).toBe("nobody/nothing · production (prod*, production*, live)");
    expect(out[1]).toMatch(/ · 0 merged pull requests$/);
    expect(out.slice(3, 8)).toEqual([
      "STAGE   MEDIAN  P90  PRS",
      "coding  —       —    0",
      "pickup  —       —    0",
      "review  —       —    0",
      "deploy  —       —    0",
    ]);
    expect((await failing("lead-time", "--group", "no-such-group-here")).stderr).toBe(
      "switchyard: 404 no such group\n",
    );
  });
});
