import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { API_TOKENS, startTestService, useTestService } from "../helpers/service.js";

/**
 * One test per way the fuzz (test/e2e/fuzz-api.test.ts) once got a 500 out of /api, and the outages
 * that must be a 503 (contract §2: no 5xx but 503; bad input gets a clear 4xx with a JSON error).
 */

// `web`: nothing here needs a worker, and no backfill then touches the shared schema.
const ctx = useTestService({ ROLE: "web" });

interface Sent {
  method?: string;
  body?: string | Buffer;
  type?: string;
  headers?: Record<string, string>;
}
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** Raw HTTP, so paths go out byte for byte and an early answer (413) is read even if the upload is cut. */
function call(path: string, o: Sent = {}, base = ctx.url): Promise<Answer> {
  const url = new URL(base);
  const body = o.body === undefined ? undefined : Buffer.from(o.body);
  const headers: Record<string, string | number> = { authorization: `Bearer ${API_TOKENS[0]}`, ...o.headers };
  if (body) headers["content-length"] = body.length;
  if (o.type) headers["content-type"] = o.type;
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: o.method ?? "GET", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", (err) => (req.writableFinished ? reject(err) : undefined));
    req.end(body);
  });
}
const postJson = (path: string, body: string | Buffer, extra: Sent = {}) =>
  call(path, { method: "POST", body, type: "application/json", ...extra });

const rule = (over: Record<string, unknown> = {}) => ({
  name: `errors-${randomUUID().slice(0, 8)}`,
  on: "deploy.fuzz_never",
  extract: { field: "payload.title", pattern: "(OPS-[0-9]+)" },
  link: { to: "linear:issue:$1", relation: "references", confidence: 0.5 },
  ...over,
});

/** A 4xx with a JSON `error` string: the contract for every refusal. */
function refused(a: Answer, status: number) {
  expect(a.status, a.text).toBe(status);
  expect(a.headers["content-type"]).toMatch(/^application\/json/);
  expect(a.json?.error).toEqual(expect.any(String));
}

describe("request bodies", () => {
  it("malformed JSON on /api/rules → 400", async () => {
    for (const body of ["{", '{"name":', "[1,]", "{'a':1}", '"just a string"', '{"__proto__":{"x":1}}']) {
      refused(await postJson("/api/rules", body), 400);
    }
  });

  it("oversize rule JSON → 413", async () => {
    refused(await postJson("/api/rules", JSON.stringify({ ...rule(), pad: "p".repeat(1_100_000) })), 413);
  });

  it("a body that is not declared JSON → 415", async () => {
    refused(await call("/api/rules", { method: "POST", body: JSON.stringify(rule()), type: "text/plain" }), 415);
    refused(
      await call("/api/rules/test", {
        method: "POST",
        body: "payload=%7B%7D",
        type: "application/x-www-form-urlencoded",
      }),
      415,
    );
  });

  it("a broken gzip body → 400, an unknown Content-Encoding → 415", async () => {
    refused(await postJson("/api/rules", "not gzip at all", { headers: { "content-encoding": "gzip" } }), 400);
    refused(await postJson("/api/rules", "{}", { headers: { "content-encoding": "x-unknown" } }), 415);
    // A well-formed gzip body is read as usual (the rule is then judged on its merits: 422 here).
    const gz = await postJson("/api/rules", gzipSync('{"name":"x"}'), { headers: { "content-encoding": "gzip" } });
    expect(gz.status).toBe(422);
  });

  it("NUL or a lone surrogate in a rule's strings → 400, nothing stored", async () => {
    for (const over of [{ where: { "payload.x": "a\u0000b" } }, { where: { "payload.x": "\ud800" } }]) {
      const r = rule(over);
      const res = await postJson("/api/rules", JSON.stringify(r));
      refused(res, 400);
      expect(res.json.problems).toEqual([expect.stringMatching(/NUL characters or lone surrogates/)]);
      expect((await call(`/api/rules/${r.name}`)).status).toBe(404);
    }
  });

  it("JSON nested deeper than any API body → 400", async () => {
    // Written as text: JSON.stringify itself overflows the stack on such a value.
    const event = (payload: string) => `{"type":"t","subject":"s","payload":${payload}}`;
    const deep = (n: number) => `{"rule":${JSON.stringify(rule())},"event":${event("[".repeat(n) + "]".repeat(n))}}`;
    refused(await postJson("/api/rules/test", deep(200_000)), 400);
    expect((await postJson("/api/rules/test", deep(10))).status).toBe(200);
  });

  it("a POST without a body still needs no Content-Type", async () => {
    expect((await call(`/api/deliveries/${randomUUID()}/reprocess`, { method: "POST" })).status).toBe(404);
    const empty = await call(`/api/deliveries/${randomUUID()}/reprocess`, {
      method: "POST",
      body: "",
      type: "text/plain",
    });
    expect(empty.status).toBe(404);
  });
});

describe("NUL and bounds in path parameters and queries", () => {
  it("%00 in /api/entities/:key → 400 naming the key", async () => {
    const res = await call("/api/entities/github%3Apr%3Aacme%2Fweb%00%231");
    refused(res, 400);
    expect(res.json.problems).toEqual(["key: must not contain NUL characters"]);
  });

  it("%00 in ?subject= and ?type= → 400", async () => {
    refused(await call("/api/events?subject=%00"), 400);
    refused(await call("/api/events?type=github.%00*"), 400);
    refused(await call("/api/metrics/dora?repository=acme/web&environment=prod%00"), 400);
  });

  it("%00 in a deploy key, a rule name and a job id → 400", async () => {
    refused(await call("/api/deploys/deploy%3Ageneric%3A%00/changes"), 400);
    refused(await call("/api/rules/%00"), 400);
    refused(await call("/api/rules/a%00", { method: "PUT", body: '{"enabled":false}', type: "application/json" }), 400);
    refused(await call("/api/rules/a%00", { method: "DELETE" }), 400);
    refused(await call("/api/rules/a%00/backfill", { method: "POST" }), 400);
    refused(await call("/api/jobs/%00"), 400);
  });

  it("keys longer than any stored → 400", async () => {
    refused(await call(`/api/entities/github%3Arepo%3A${"a".repeat(600)}`), 400);
    refused(await call(`/api/events?subject=${"é".repeat(300)}`), 400);
  });

  it("toString and constructor are not built-in rules", async () => {
    for (const name of ["toString", "constructor"]) {
      expect((await call(`/api/rules/${name}`)).status).toBe(404);
      const put = await call(`/api/rules/${name}`, {
        method: "PUT",
        body: '{"enabled":false}',
        type: "application/json",
      });
      expect(put.status).toBe(404);
      expect((await call(`/api/rules/${name}`, { method: "DELETE" })).status).toBe(404);
    }
  });

  it("numbers out of range → 400", async () => {
    refused(await call("/api/events?limit=NaN"), 400);
    refused(await call("/api/entities/x?depth=6"), 400);
    refused(await call("/api/queue/failed?offset=10000000"), 400);
    refused(await call("/api/deliveries?limit=1e308"), 400);
  });
});

describe("dates", () => {
  it("year-0 since or until on /api/events → 400", async () => {
    refused(await call("/api/events?since=0000-01-01T00:00:00Z"), 400);
    refused(await call("/api/events?until=0000-12-31T23:59:59Z"), 400);
  });

  it("year-0 since on /api/metrics/dora → 400", async () => {
    const res = await call("/api/metrics/dora?repository=acme/web&since=0000-01-01T00:00:00Z");
    refused(res, 400);
    expect(res.json.problems).toEqual(["since: must be a date in the years 1 to 9999"]);
  });

  it("a zone offset taking a date out of years 1–9999 → 400", async () => {
    refused(await call(`/api/events?since=${encodeURIComponent("0001-01-01T00:30:00+01:00")}`), 400);
    refused(await call(`/api/events?until=${encodeURIComponent("9999-12-31T23:00:00-05:00")}`), 400);
  });

  it("DORA's default window starts no earlier than year 1", async () => {
    const res = await call("/api/metrics/dora?repository=acme/web&until=0001-01-05T00:00:00Z");
    expect(res.status, res.text).toBe(200);
    expect(res.json.since).toBe("0001-01-01T00:00:00.000Z");
  });
});

describe("cursors", () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const id = "0190f5c2-7a3b-7c4d-8e5f-0123456789ab";

  it("a malformed events cursor → 400 cursor: invalid", async () => {
    const forged = [
      "garbage!",
      b64(["0000-01-01T00:00:00.000Z", id]),
      b64([8.64e15, id]),
      b64(["2026-01-01T00:00:00.000Z", "-".repeat(36)]),
      b64({}),
      "A".repeat(5000),
    ];
    for (const cursor of forged) {
      const res = await call(`/api/events?cursor=${cursor}`);
      refused(res, 400);
      expect(res.json.problems).toEqual(["cursor: invalid"]);
    }
  });

  it("a malformed deliveries cursor → 400", async () => {
    refused(await call("/api/deliveries?cursor=garbage"), 400);
    refused(await call(`/api/deliveries?cursor=${"-".repeat(36)}`), 400);
  });
});

describe("methods", () => {
  it("HEAD on a GET route answers without a 5xx", async () => {
    expect((await call("/api/events?limit=1", { method: "HEAD" })).status).toBe(200);
    expect((await call("/api/entities/%00", { method: "HEAD" })).status).toBe(400);
  });

  it("a method a known route does not serve → 404 with a JSON error", async () => {
    refused(await call("/api/rules", { method: "PATCH", body: "{}", type: "application/json" }), 404);
    refused(await call("/api/events", { method: "OPTIONS" }), 404);
    refused(await call("/api/queue", { method: "DELETE" }), 404);
  });
});

describe("outages", () => {
  it("PostgreSQL unreachable → 503 with Retry-After, the error not echoed", async () => {
    const down = await startTestService({
      ROLE: "web",
      DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none?schema=x",
    });
    try {
      for (const path of ["/api/events", "/api/entities/github%3Arepo%3Aa%2Fb", "/api/rules", "/api/deliveries"]) {
        const res = await call(path, {}, down.url);
        expect(res.status, path).toBe(503);
        expect(res.headers["retry-after"]).toBe("5");
        expect(res.json.error).toMatch(/unavailable/);
        expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|reach/i);
      }
    } finally {
      await down.service.close();
    }
  });

  it("Redis unreachable → 503 with Retry-After on the queue routes, in bounded time", async () => {
    const down = await startTestService({ ROLE: "web", REDIS_URL: "redis://127.0.0.1:1" });
    try {
      const started = Date.now();
      const answers = await Promise.all([
        ...["/api/queue", "/api/queue/failed", "/api/jobs/1"].map((p) => call(p, {}, down.url)),
        call(`/api/queue/failed/${randomUUID()}/retry`, { method: "POST" }, down.url),
        call("/api/rules/slack-url/backfill", { method: "POST" }, down.url),
      ]);
      for (const res of answers) {
        expect(res.status, res.text).toBe(503);
        expect(res.headers["retry-after"]).toBe("5");
      }
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await down.service.close();
    }
  });
});
