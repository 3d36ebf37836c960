import { describe, expect, it } from "vitest";
import { basicPassword } from "../../src/http/auth.js";
import { API_TOKENS, useTestService } from "../helpers/service.js";

const ctx = useTestService();
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const get = (path: string, authorization?: string) =>
  fetch(`${ctx.url}${path}`, { headers: authorization ? { authorization } : {} });

describe("/admin/queues (Bull Board)", () => {
  it("asks for Basic credentials without them, or with a password that is no API token", async () => {
    for (const auth of [
      undefined,
      basic("admin", "wrong"),
      basic(API_TOKENS[0]!, "wrong"), // a token as the user name is not the password
      `Bearer ${API_TOKENS[0]}`,
    ]) {
      for (const path of ["/admin/queues", "/admin/queues/api/queues", "/admin/queues/static/favicon.ico"]) {
        const res = await get(path, auth);
        expect(res.status, `${path} ${auth}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toBe('Basic realm="switchyard"');
        expect(await res.text()).not.toMatch(/ingest|bull/i);
      }
    }
  });

  it(
    "serves the board with an API token as password, whatever the user name, " + "and loads nothing from a CDN",
    async () => {
      for (const [user, token] of [
        ["ops", API_TOKENS[0]!],
        ["", API_TOKENS[1]!],
      ] as const) {
        const res = await get("/admin/queues", basic(user, token));
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
        const html = await res.text();
        expect(html).toContain("Switchyard queues");
        // Every asset the page loads is served here (relative URLs under <base href="/admin/queues/">).
        const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
        expect(assets.filter((a) => /^(https?:)?\/\//.test(a))).toEqual([]);
        expect(html).not.toContain("fonts.googleapis.com");
        const css = assets.find((a) => a.endsWith(".css"));
        expect(css).toBeDefined();
        const asset = await get(`/admin/queues/${css}`, basic(user, token));
        expect(asset.status).toBe(200);
        expect(await asset.text()).not.toMatch(/@import\s+url\(["']?https?:/);
      }
    },
  );

  it("lists the ingest and backfill queues through its API", async () => {
    const res = await get("/admin/queues/api/queues", basic("ops", API_TOKENS[0]!));
    expect(res.status).toBe(200);
    const { queues } = (await res.json()) as { queues: Array<{ name: string }> };
    expect(queues.map((q) => q.name).sort()).toEqual(expect.arrayContaining(["backfill", "ingest"]));
  });

  it(
    "only shows the ingest queue (its jobs may be the only copy of accepted deliveries); " + "others can be steered",
    async () => {
      const auth = { authorization: basic("ops", API_TOKENS[0]!) };
      const { queues } = (await (await get("/admin/queues/api/queues", auth.authorization)).json()) as {
        queues: Array<{ name: string; readOnlyMode: boolean }>;
      };
      expect(queues.find((q) => q.name === "ingest")!.readOnlyMode).toBe(true);
      expect(queues.find((q) => q.name === "backfill")!.readOnlyMode).toBe(false);
      for (const action of ["empty", "clean/failed", "pause"]) {
        const res = await fetch(`${ctx.url}/admin/queues/api/queues/ingest/${action}`, {
          method: "PUT",
          headers: auth,
        });
        expect(res.status, action).toBe(405);
      }
      const paused = await fetch(`${ctx.url}/admin/queues/api/queues/backfill/pause`, { method: "PUT", headers: auth });
      expect(paused.status).toBe(200);
      await fetch(`${ctx.url}/admin/queues/api/queues/backfill/resume`, { method: "PUT", headers: auth });
    },
  );

  it("takes queue actions only from its own pages: another site's form post is refused", async () => {
    const auth = { authorization: basic("ops", API_TOKENS[0]!) };
    const path = `${ctx.url}/admin/queues/api/queues/backfill/pause`;
    const foreign: Array<Record<string, string>> = [
      { "sec-fetch-site": "cross-site" },
      { origin: "https://evil.example" },
    ];
    for (const headers of foreign) {
      const res = await fetch(path, { method: "PUT", headers: { ...auth, ...headers } });
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    const own = await fetch(path, { method: "PUT", headers: { ...auth, "sec-fetch-site": "same-origin" } });
    expect(own.status).toBe(200);
    await fetch(`${ctx.url}/admin/queues/api/queues/backfill/resume`, { method: "PUT", headers: auth });
  });

  it("leaves other paths alone", async () => {
    expect((await get("/healthz")).status).toBe(200);
    // Every path under /admin is behind the password; the board answers its own only.
    expect((await get("/admin/queuesX")).status).toBe(401);
    expect((await get("/admin/queuesX", basic("ops", API_TOKENS[0]!))).status).toBe(404);
  });

  it("reads the password of a Basic header", () => {
    expect(basicPassword(basic("u", "p:with:colons"))).toBe("p:with:colons");
    expect(basicPassword(basic("", "tok"))).toBe("tok");
    expect(basicPassword("Basic bm9jb2xvbg==")).toBeNull(); // "nocolon"
    expect(basicPassword("Bearer abc")).toBeNull();
    expect(basicPassword(undefined)).toBeNull();
  });
});
