import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SECRETS, useTestPrisma, useTestService, waitFor } from "../helpers/service.js";
import { githubRequest, post } from "../../kit/sign.js";

const exec = promisify(execFile);
const ctx = useTestService();
const prisma = useTestPrisma();

// GUIDs of this run: one GitHub failed to deliver and Switchyard never stored, one it failed to
// deliver but Switchyard stored anyway (e.g. answered after GitHub's timeout), one delivered.
const lost = randomUUID();
const storedAnyway = randomUUID();
const delivered = randomUUID();
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
const deliveries = [
  { id: 3, guid: lost, delivered_at: ago(10), redelivery: false, status: "Timed out", status_code: 0, event: "push" },
  {
    id: 2,
    guid: storedAnyway,
    delivered_at: ago(20),
    redelivery: false,
    status: "502",
    status_code: 502,
    event: "push",
  },
  { id: 1, guid: delivered, delivered_at: ago(30), redelivery: false, status: "OK", status_code: 200, event: "push" },
];

/** A loopback server speaking GitHub's hook-delivery endpoints for acme/api hook 7. */
const seen: string[] = [];
const github = createServer((req, res) => {
  seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
  res.setHeader("content-type", "application/json");
  if (req.method === "GET" && req.url?.startsWith("/repos/acme/api/hooks/7/deliveries")) {
    res.end(JSON.stringify(deliveries));
  } else if (req.method === "POST" && /^\/repos\/acme\/api\/hooks\/7\/deliveries\/\d+\/attempts$/.test(req.url ?? "")) {
    res.statusCode = 202;
    res.end("{}");
  } else {
    res.statusCode = 404;
    res.end(JSON.stringify({ message: "Not Found" }));
  }
});
let apiUrl = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
  const ping = { zen: "z", hook_id: 7, repository: { full_name: "acme/api" }, sender: { login: "octocat" } };
  const res = await post(
    `${ctx.url}/webhooks/github`,
    await githubRequest("ping", ping, SECRETS.github[0]!, storedAnyway),
  );
  expect(res.status).toBe(202);
  await waitFor(() => prisma.rawDelivery.findFirst({ where: { platform: "github", deliveryId: storedAnyway } }));
});
afterAll(() => new Promise<void>((resolve) => github.close(() => resolve())));

/** `reconcile github` as scripts read it (--json). */
async function reconcile(...args: string[]) {
  return JSON.parse(await switchyard("--json", "reconcile", "github", ...args));
}

/** `reconcile github` as printed for people. */
const reconcileOutput = (...args: string[]) => switchyard("reconcile", "github", ...args);

async function switchyard(...args: string[]) {
  const env = {
    ...process.env,
    DATABASE_URL: inject("databaseUrl"),
    GITHUB_TOKEN: "ghp_test",
    GITHUB_API_URL: apiUrl,
    GITHUB_RECONCILE_HOOKS: "acme/api:7",
  };
  const { stdout } = await exec(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { env });
  return stdout;
}

describe("switchyard reconcile github", () => {
  it("--dry-run lists the failed delivery Switchyard never stored and asks GitHub for nothing", async () => {
    const report = await reconcile("--dry-run");
    expect(report).toMatchObject({ listed: 3, failed: 2, stored: 1, redelivered: [lost], errors: [] });
    expect(seen.filter((s) => s.startsWith("POST"))).toEqual([]);
  });

  it("prints for people what it found and what it would do", async () => {
    const out = await reconcileOutput("--dry-run");
    expect(out).toMatch(/^attempts listed\s+3\nfailed deliveries\s+2\nstored anyway\s+1\nredelivered\s+1\n/);
    expect(out).toMatch(new RegExp(`^DELIVERY\\s+OUTCOME\\s+WHY\\n${lost}\\s+redelivered$`, "m"));
    expect(seen.filter((s) => s.startsWith("POST"))).toEqual([]);
  });

  it("asks GitHub to redeliver exactly that one, with the token", async () => {
    const report = await reconcile();
    expect(report.redelivered).toEqual([lost]);
    expect(seen.filter((s) => s.startsWith("POST"))).toEqual([
      "POST /repos/acme/api/hooks/7/deliveries/3/attempts token ghp_test",
    ]);
  });

  it("says what is missing when it is not configured", async () => {
    const env = { ...process.env, DATABASE_URL: inject("databaseUrl"), GITHUB_RECONCILE_HOOKS: "" };
    const run = exec(process.execPath, ["--import", "tsx", "src/cli.ts", "reconcile", "github"], { env });
    await expect(run).rejects.toMatchObject({ stderr: expect.stringMatching(/GITHUB_TOKEN/) });
  });
});
