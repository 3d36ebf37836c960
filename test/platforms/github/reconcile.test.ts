import { generateKeyPairSync, verify } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  githubClient,
  parseHookTargets,
  reconcileGithub,
  type HookTarget,
} from "../../../src/platforms/github/reconcile.js";

const NOW = new Date("2025-01-15T12:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const PAGE = 3; // GitHub serves up to per_page; a small page makes the fake page.

type Item = { id: number; guid: string; ago: number; code: number; redelivery?: boolean };
const toJson = (d: Item) => ({
  id: d.id,
  guid: d.guid,
  delivered_at: new Date(NOW.getTime() - d.ago).toISOString().replace(/\.\d+Z$/, "Z"),
  redelivery: d.redelivery ?? false,
  duration: 0.1,
  status: d.code === 0 ? "failed to connect" : d.code < 300 ? "OK" : `Invalid HTTP Response: ${d.code}`,
  status_code: d.code,
  event: "push",
  action: null,
  installation_id: null,
  repository_id: 1,
});

/** Each hook's deliveries, newest first, as GitHub lists them. */
const hooks: Record<string, Item[]> = {
  "/repos/acme/api/hooks/1": [
    { id: 109, guid: "g-ok-later", ago: 30 * MIN, code: 200, redelivery: true },
    { id: 110, guid: "g-redo", ago: HOUR, code: 500, redelivery: true },
    { id: 101, guid: "g-redo", ago: 2 * HOUR, code: 500 },
    { id: 108, guid: "g-stored", ago: 3 * HOUR, code: 502 },
    { id: 107, guid: "g-404", ago: 4 * HOUR, code: 500 },
    { id: 106, guid: "g-ok", ago: 5 * HOUR, code: 200 },
    { id: 105, guid: "g-ok-later", ago: 6 * HOUR, code: 500 },
    { id: 104, guid: "g-margin", ago: 71.5 * HOUR, code: 500 },
    { id: 103, guid: "g-old", ago: 80 * HOUR, code: 500 },
    { id: 102, guid: "g-older", ago: 90 * HOUR, code: 500 }, // page 4: never fetched
  ],
  "/orgs/acme/hooks/2": [
    { id: 203, guid: "g-pending", ago: 5 * MIN, code: 500, redelivery: true },
    { id: 205, guid: "g-redo", ago: 90 * MIN, code: 500 }, // the same event through the org hook
    { id: 201, guid: "g-org", ago: 2 * HOUR, code: 0 },
    { id: 204, guid: "g-pending", ago: 2 * HOUR, code: 500 },
    { id: 202, guid: "g-422", ago: 3 * HOUR, code: 500 },
  ],
  "/app/hook": [
    { id: 301, guid: "g-app", ago: HOUR, code: 500 },
    { id: 302, guid: "g-app-ok", ago: 2 * HOUR, code: 200 },
    { id: 303, guid: "g-app-ok2", ago: 3 * HOUR, code: 201 },
    { id: 304, guid: "g-app-2", ago: 10 * HOUR, code: 503 },
  ],
  "/repos/acme/gone/hooks/9": [],
};
/** Redelivery refusals, by delivery id, as GitHub words them. */
const refusals: Record<number, [number, string]> = { 107: [404, "Not Found"], 202: [422, "Validation Failed"] };

type Seen = { method: string; path: string; query: URLSearchParams; auth: string };
let requests: Seen[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, baseUrl);
    const auth = req.headers.authorization ?? "";
    requests.push({ method: req.method!, path: url.pathname, query: url.searchParams, auth });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(body));
    };
    const m = /^(.*)\/deliveries(?:\/(\d+)\/attempts)?$/.exec(url.pathname);
    const items = m && url.pathname !== "/repos/acme/gone/hooks/9/deliveries" ? hooks[m[1]!] : undefined;
    if (!m || !items) return send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    if (req.method === "GET" && !m[2]) {
      const offset = Number(url.searchParams.get("cursor")?.replace("v1_", "") ?? 0);
      const size = Math.min(Number(url.searchParams.get("per_page") ?? 30), PAGE);
      const page = items.slice(offset, offset + size);
      const next = new URL(url);
      next.searchParams.set("cursor", `v1_${offset + size}`);
      const link: Record<string, string> = offset + size < items.length ? { link: `<${next}>; rel="next"` } : {};
      return send(200, page.map(toJson), link);
    }
    const id = Number(m[2]);
    if (req.method !== "POST" || !items.some((d) => d.id === id)) return send(404, { message: "Not Found" });
    const refusal = refusals[id];
    if (refusal) return send(refusal[0], { message: refusal[1], documentation_url: "https://docs.github.com/rest" });
    send(202, {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = [];
});

const repoHook: HookTarget = { kind: "repo", owner: "acme", repo: "api", hookId: 1 };
const orgHook: HookTarget = { kind: "org", org: "acme", hookId: 2 };
const posts = () => requests.filter((r) => r.method === "POST").map((r) => r.path);
const storedCalls: string[][] = [];
const isStored = async (guids: string[]) => {
  storedCalls.push(guids);
  return new Set(guids.filter((g) => g === "g-stored"));
};
const tokenClient = () => githubClient({ token: "ghp_test", baseUrl });

describe("reconcileGithub, repository and organization hooks", () => {
  it("redelivers each failed, unstored GUID within the window once, and reports the rest", async () => {
    storedCalls.length = 0;
    const report = await reconcileGithub(tokenClient(), [repoHook, orgHook], isStored, { now: NOW });

    expect(posts().sort()).toEqual([
      "/orgs/acme/hooks/2/deliveries/201/attempts",
      "/orgs/acme/hooks/2/deliveries/202/attempts",
      "/repos/acme/api/hooks/1/deliveries/107/attempts",
      "/repos/acme/api/hooks/1/deliveries/110/attempts", // g-redo's latest attempt, across both hooks
    ]);
    expect(report.redelivered.sort()).toEqual(["g-org", "g-redo"]);
    expect(report.skipped.map((s) => `${s.guid}:${s.reason}`).sort()).toEqual([
      "g-margin:expired",
      "g-ok-later:succeeded",
      "g-old:expired",
      "g-pending:pending",
      "g-stored:stored",
    ]);
    expect(report.errors.map((e) => e.guid).sort()).toEqual(["g-404", "g-422"]);
    expect(report.errors.find((e) => e.guid === "g-404")?.message).toMatch(/^404 Not Found/);
    expect(report.errors.find((e) => e.guid === "g-422")?.message).toMatch(/^422 Validation Failed/);
    expect(report).toMatchObject({ listed: 9 + 5, failed: 9, stored: 1 });
    expect(report.failed).toBe(report.redelivered.length + report.skipped.length + report.errors.length);
    // Only GUIDs without a success are looked up, in one query.
    expect(storedCalls).toHaveLength(1);
    expect(storedCalls[0]!.sort()).toEqual(
      ["g-404", "g-422", "g-margin", "g-old", "g-org", "g-pending", "g-redo", "g-stored"].sort(),
    );
    expect(new Set(requests.map((r) => r.auth))).toEqual(new Set(["token ghp_test"]));
  });

  it("pages with the Link header's cursor and stops at the window", async () => {
    const report = await reconcileGithub(tokenClient(), [repoHook], isStored, { now: NOW, dryRun: true });
    const gets = requests.filter((r) => r.path === "/repos/acme/api/hooks/1/deliveries");
    expect(gets.map((r) => [r.query.get("per_page"), r.query.get("cursor")])).toEqual([
      ["100", null],
      ["100", "v1_3"],
      ["100", "v1_6"],
    ]); // the page holding g-old crosses the 3 days: no fourth page
    expect(report.listed).toBe(9);
    expect(report.skipped.map((s) => s.guid)).not.toContain("g-older");
  });

  it("dryRun plans the same redeliveries and posts nothing", async () => {
    const report = await reconcileGithub(tokenClient(), [repoHook, orgHook], isStored, { now: NOW, dryRun: true });
    expect(posts()).toEqual([]);
    expect(report.redelivered.sort()).toEqual(["g-404", "g-422", "g-org", "g-redo"]);
    expect(report.errors).toEqual([]);
  });

  it("since and windowMs narrow what is redelivered", async () => {
    const since = new Date(NOW.getTime() - 150 * MIN);
    const report = await reconcileGithub(tokenClient(), [orgHook], isStored, { now: NOW, since, dryRun: true });
    expect(report.redelivered.sort()).toEqual(["g-org", "g-redo"]);
    expect(report.skipped).toContainEqual({ guid: "g-422", reason: "before-since" });
    const o = { now: NOW, windowMs: 100 * MIN, dryRun: true };
    const narrow = await reconcileGithub(tokenClient(), [orgHook], isStored, o);
    expect(narrow.redelivered).toEqual(["g-redo"]);
  });

  it("names the target it cannot list", async () => {
    const gone: HookTarget = { kind: "repo", owner: "acme", repo: "gone", hookId: 9 };
    await expect(reconcileGithub(tokenClient(), [repoHook, gone], isStored, { now: NOW })).rejects.toThrow(
      /acme\/gone hook 9 failed: 404/,
    );
    expect(posts()).toEqual([]);
  });
});

describe("reconcileGithub, the App hook", () => {
  it("authenticates with the App's JWT, pages, and redelivers through /app/hook", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString(); // the format GitHub hands out
    const octokit = githubClient({ appId: "4242", privateKey: pem, baseUrl: `${baseUrl}/` });
    const report = await reconcileGithub(octokit, [{ kind: "app" }], isStored, { now: NOW });

    expect(report.redelivered.sort()).toEqual(["g-app", "g-app-2"]);
    expect(posts().sort()).toEqual(["/app/hook/deliveries/301/attempts", "/app/hook/deliveries/304/attempts"]);
    expect(requests.filter((r) => r.method === "GET").map((r) => r.query.get("cursor"))).toEqual([null, "v1_3"]);
    expect(requests).toHaveLength(4);
    for (const r of requests) {
      const [scheme, jwt] = r.auth.split(" ");
      expect(scheme?.toLowerCase()).toBe("bearer");
      const [header, payload, signature] = jwt!.split(".");
      expect(JSON.parse(Buffer.from(payload!, "base64url").toString())).toMatchObject({ iss: "4242" });
      const signed = Buffer.from(`${header}.${payload}`);
      expect(verify("sha256", signed, publicKey, Buffer.from(signature!, "base64url"))).toBe(true);
    }
  });
});

describe("githubClient", () => {
  it("refuses missing or half credentials", () => {
    expect(() => githubClient({})).toThrow(/token, or a GitHub App id and private key/);
    expect(() => githubClient({ appId: "1" })).toThrow(/both an app id and a private key/);
  });
});

describe("parseHookTargets", () => {
  it("reads repository, organization and App hooks", () => {
    expect(parseHookTargets(" acme/api.js:123, org:acme-corp:456 ,app")).toEqual([
      { kind: "repo", owner: "acme", repo: "api.js", hookId: 123 },
      { kind: "org", org: "acme-corp", hookId: 456 },
      { kind: "app" },
    ]);
    expect(parseHookTargets("")).toEqual([]);
  });
  const bad = ["acme/api", "acme:1", "org:acme", "org:acme:x", "acme/api:0", "apps", "a/b/c:1"];
  bad.push("acme/api:99999999999999999"); // beyond a safe integer
  it.each(bad)("refuses %j", (spec) => {
    expect(() => parseHookTargets(spec)).toThrow(/GITHUB_RECONCILE_HOOKS/);
  });
});
