import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findSubscription } from "../../src/store/subscriptions.js";
import { API_TOKENS, useTestPrisma, useTestService } from "../helpers/service.js";

// The default OUTBOUND_ALLOW_PRIVATE (false): private destinations are refused when a subscription is made.
const ctx = useTestService();
const prisma = useTestPrisma();

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${ctx.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
    .then(async (r) => ({ status: r.status, text: r.status === 204 ? "" : await r.text() }))
    .then((r) => ({ ...r, json: r.text ? (JSON.parse(r.text) as any) : null }));

const webhook = (url: string) => ({
  name: `targets-${randomUUID().slice(0, 8)}`,
  kind: "webhook",
  url,
  types: ["switchyard.test"],
});

/** Every notation of a private, loopback, link-local or unspecified address, and what the 422 says. */
const refused: Array<[string, RegExp]> = [
  ["http://127.0.0.1:8080/hook", /^url: 127\.0\.0\.1 is a loopback address/],
  ["http://2130706433/", /^url: 127\.0\.0\.1 is a loopback/],
  ["http://0x7f.1/", /^url: 127\.0\.0\.1 is a loopback/],
  ["http://0177.0.0.1/", /^url: 127\.0\.0\.1 is a loopback/],
  ["http://127.1/", /^url: 127\.0\.0\.1 is a loopback/],
  ["http://[::1]/", /^url: ::1 is a loopback/],
  ["http://[::ffff:127.0.0.1]/", /^url: ::ffff:7f00:1 is an IPv4-mapped address/],
  ["http://[::ffff:7f00:1]/", /^url: ::ffff:7f00:1 is an IPv4-mapped address/],
  ["http://[::127.0.0.1]/", /^url: ::7f00:1 is an address in ::\/96/],
  ["http://[::]/", /^url: :: is an unspecified \(meta\) address/],
  ["http://0.0.0.0/", /^url: 0\.0\.0\.0 is an unspecified/],
  ["http://[fe80::1]/", /^url: fe80::1 is a link-local address/],
  ["http://[fc00::1]/", /^url: fc00::1 is a unique-local/],
  ["http://169.254.169.254/latest/meta-data", /^url: 169\.254\.169\.254 is a link-local/],
  ["https://10.0.0.1/", /^url: 10\.0\.0\.1 is a private address/],
  ["https://198.18.0.1/", /^url: 198\.18\.0\.1 is a reserved address/],
  ["http://localhost:3000/hook", /^url: localhost is a loopback name/],
  ["http://api.localhost/hook", /^url: api\.localhost is a loopback name/],
];

describe("webhook destinations (OUTBOUND_ALLOW_PRIVATE=false)", () => {
  it("refuses a private target at creation with a 422 naming OUTBOUND_ALLOW_PRIVATE", async () => {
    for (const [url, message] of refused) {
      const def = webhook(url);
      const r = await call("POST", "/api/subscriptions", def);
      expect(r.status, url).toBe(422);
      expect(r.json.problems, url).toHaveLength(1);
      expect(r.json.problems[0], url).toMatch(message);
      expect(r.json.error, url).toMatch(/OUTBOUND_ALLOW_PRIVATE=true/);
      expect((await call("GET", `/api/subscriptions/${def.name}`)).status, url).toBe(404);
    }
  });

  it("refuses one at update, keeping the stored URL; a PUT without url is not checked", async () => {
    const def = webhook("http://93.184.216.34/hooks/switchyard");
    expect((await call("POST", "/api/subscriptions", def)).status).toBe(201);
    for (const [url, message] of refused) {
      const r = await call("PUT", `/api/subscriptions/${def.name}`, { url });
      expect(r.status, url).toBe(422);
      expect(r.json.problems[0], url).toMatch(message);
      expect(r.json.error, url).toMatch(/OUTBOUND_ALLOW_PRIVATE=true/);
    }
    const kept = await call("GET", `/api/subscriptions/${def.name}`);
    expect(kept.json.url).toBe(def.url);
    const disabled = await call("PUT", `/api/subscriptions/${def.name}`, { enabled: false });
    expect(disabled.status).toBe(200);
    const moved = await call("PUT", `/api/subscriptions/${def.name}`, { url: "https://[2606:4700:4700::1111]/h" });
    expect(moved.status).toBe(200);
    expect(moved.json.url).toBe("https://[2606:4700:4700::1111]/h");
  });

  it("accepts a public literal address, and a name that does not resolve (checked again at connect time)", async () => {
    for (const url of ["http://93.184.216.34/", "https://hooks.example.invalid/h"]) {
      const r = await call("POST", "/api/subscriptions", webhook(url));
      expect(r.status, url).toBe(201);
    }
  });

  it("a schema error stays a 400", async () => {
    const r = await call("POST", "/api/subscriptions", webhook("ftp://127.0.0.1/"));
    expect(r.status).toBe(400);
  });
});

describe("webhook URLs in answers", () => {
  it("mask the user name, the password and token-like query parameters", async () => {
    const url =
      "https://alice:hunter2@93.184.216.34/hooks?team=ops&token=tok-Q1w2e3&Access_Token=at-R4t5y6" +
      "&api_key=key-U7i8o9&sig=sig-P0a1s2&page=2";
    const masked = "https://***:***@93.184.216.34/hooks?team=ops&token=***&Access_Token=***&api_key=***&sig=***&page=2";
    const def = webhook(url);
    const created = await call("POST", "/api/subscriptions", def);
    expect(created.status).toBe(201);
    expect(created.json.url).toBe(masked);
    const one = await call("GET", `/api/subscriptions/${def.name}`);
    const list = await call("GET", "/api/subscriptions");
    const changed = await call("PUT", `/api/subscriptions/${def.name}`, { types: ["deploy.*"] });
    expect(one.json.url).toBe(masked);
    expect(list.json.items.find((s: any) => s.name === def.name).url).toBe(masked);
    expect(changed.json.url).toBe(masked);
    for (const r of [created, one, list, changed])
      for (const secret of ["alice", "hunter2", "tok-Q1w2e3", "at-R4t5y6", "key-U7i8o9", "sig-P0a1s2"])
        expect(r.text).not.toContain(secret);
    // The sender still has the whole URL; the masked one given back by a PUT keeps it.
    expect((await findSubscription(prisma, def.name))?.url).toBe(url);
    const back = await call("PUT", `/api/subscriptions/${def.name}`, { url: masked, enabled: false });
    expect(back.status).toBe(200);
    expect(back.json.url).toBe(masked);
    expect((await findSubscription(prisma, def.name))?.url).toBe(url);
  });
});
