import { int, pick, prng, type Rand } from "../../kit/prng.js";

/**
 * What the /api fuzz (fuzz-api.test.ts) sends: hostile values, bodies, content types, and the seeded
 * plan of one request. Pure: the test file sends and checks.
 */
const enc = encodeURIComponent;
const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64url");
const hex = (r: Rand, n: number) => Array.from({ length: n }, () => int(r, 16).toString(16)).join("");
/** A UUID-shaped id from the PRNG (randomUUID would make a run unrepeatable). */
const uuidFrom = (r: Rand) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
const SOME_UUID = "0190f5c2-7a3b-7c4d-8e5f-0123456789ab";

// ---- values, already URL-encoded (some deliberately badly) ----
const HOSTILE = [
  "",
  "%00",
  enc("a\u0000b"),
  `github:pr:acme%2Fweb%00%231`,
  enc("\u0001\u0002\u001b\u007f\u0085"),
  enc("line\r\nbreak\ttab"),
  "%",
  "%ZZ",
  "%E0%A4%A",
  "%ED%A0%80", // a UTF-8-encoded lone surrogate
  "%C0%80", // overlong NUL
  "%FF%FE",
  enc("💥🚀 Ä\u200b\uFEFF"),
  enc("x".repeat(5000)),
  enc("é".repeat(2000)),
  enc("'; DROP TABLE events; --"),
  enc("\\"),
  enc("%_*?[]"),
  enc("__proto__"),
  enc("constructor"),
  "..%2F..%2Fetc%2Fpasswd",
  enc("null"),
  enc("{}"),
];
const DATES = [
  "0000-01-01T00:00:00Z",
  "+275760-09-13T00:00:00Z",
  "275760-09-13T00:00:00.000Z",
  "-000001-01-01T00:00:00Z",
  "2026-02-30T00:00:00Z",
  "2026-13-01T00:00:00Z",
  "2026-01-01T25:00:00Z",
  "9999-12-31T23:59:59Z",
  "9999-12-31T23:59:59.999Z",
  "0001-01-01T00:00:00Z",
  "0001-01-01T00:30:00+01:00",
  "9999-12-31T23:00:00-05:00",
  "2026-01-01",
  "2026-01-01T00:00:00.123456789Z",
  "1970-01-01T00:00:00Z",
  "yesterday",
].map(enc);
const NUMBERS = [
  "-1",
  "0",
  "1",
  "5",
  "500",
  "501",
  "1001",
  "1e308",
  "-1e308",
  "NaN",
  "Infinity",
  "9007199254740993",
].concat(["1.5", "0x10", "%207", "1e3", "99999999999999999999", "-0"]);
const CURSOR_JSON: unknown[] = [
  ["0000-01-01T00:00:00.000Z", SOME_UUID],
  ["+275760-09-13T00:00:00.000Z", SOME_UUID],
  [8.64e15, SOME_UUID],
  [-8.64e15, SOME_UUID],
  ["2026-01-01T00:00:00.000Z", "------------------------------------"],
  ["2026-01-01T00:00:00.000Z", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"],
  ["2026-01-01T00:00:00.000Z", `${"0".repeat(35)}\u0000`],
  ["2026-01-01T00:00:00.000Z"],
  [null, null],
  {},
  null,
  5,
  "x",
  [["2026"], { id: 1 }],
];

// ---- bodies ----
const validRule = (r: Rand) => ({
  name: `fuzz-${int(r, 40)}`,
  on: pick(r, ["github.pull_request.*", "deploy.*", "linear.issue.create"]),
  where: r() < 0.5 ? { "payload.pull_request.base.ref": "main" } : undefined,
  extract: { field: "payload.pull_request.title", pattern: "\\b(OPS-[0-9]+)\\b" },
  link: { to: "linear:issue:$1", relation: "references", confidence: 0.5 },
});
const NASTY_STRINGS = ["\u0000", "a\u0000b", "\ud800", "x\udfffy", "\u0001\u007f", "é".repeat(70_000), "💥"];
/** A copy of `value` with one string (at any depth) replaced by a nasty one, or a key renamed to it. */
function mutateJson(r: Rand, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (r() < 0.5 ? mutateJson(r, v) : v));
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    const at = int(r, entries.length + 1);
    return Object.fromEntries(
      entries.map(([k, v], i) =>
        i === at ? [r() < 0.2 ? `${k}${pick(r, NASTY_STRINGS)}` : k, mutateJson(r, v)] : [k, v],
      ),
    );
  }
  if (typeof value === "string") return r() < 0.5 ? pick(r, NASTY_STRINGS) : `${value}${pick(r, NASTY_STRINGS)}`;
  if (typeof value === "number") return pick(r, [-1, 2, 1e308, 0.5, Number.MAX_SAFE_INTEGER + 2]);
  return value;
}
const OVERSIZE = JSON.stringify({ ...validRule(prng(1)), padding: "p".repeat(1_100_000) });
const DEEP = (n: number) => "[".repeat(n) + "]".repeat(n);
const DEEP_OBJ = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
const RAW_BODIES = [
  "{",
  '{"name":',
  "nul",
  "[1,]",
  "{'a':1}",
  '{"a":1}}',
  "1",
  "null",
  "true",
  '"x"',
  "",
  "   ",
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '"\\ud800"',
  '{"name":"\\u0000"}',
  '{"a":"\\x"}',
  "\uFEFF{}",
  "payload=%7B%7D",
];

export interface Planned {
  method: string;
  path: string;
  contentType?: string;
  contentEncoding?: string;
  body?: Buffer;
}

/** A valid body of the publish routes (a batch repeats its event under an idempotency key). */
function publishBody(route: string): object | undefined {
  const e = { type: "custom.fuzz.run", source: "fuzz", keys: ["github:pr:acme/web#1"], data: { x: 1 } };
  if (route === "/api/events") return e;
  if (route === "/api/events/batch") return { events: [e, { ...e, idempotencyKey: "fuzz-1" }] };
  return undefined;
}

function bodyFor(r: Rand, route: string): Buffer {
  const roll = r();
  const base =
    publishBody(route) ??
    (route === "/api/rules/test"
      ? {
          rule: validRule(r),
          event: { type: "github.pull_request.opened", subject: "github:pr:acme/web#1", payload: { x: 1 } },
        }
      : route.startsWith("/api/rules/") && r() < 0.4
        ? { enabled: r() < 0.5 }
        : validRule(r));
  if (roll < 0.3) return Buffer.from(JSON.stringify(base));
  if (roll < 0.6) return Buffer.from(JSON.stringify(mutateJson(r, base)));
  if (roll < 0.8) return Buffer.from(pick(r, RAW_BODIES));
  if (roll < 0.84) return Buffer.from(OVERSIZE);
  if (roll < 0.9)
    return Buffer.from(r() < 0.5 ? DEEP(pick(r, [100, 5000, 200_000])) : DEEP_OBJ(pick(r, [100, 50_000])));
  if (roll < 0.95) return Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]); // bad UTF-8
  return Buffer.from(JSON.stringify({ ...base, extra: Array.from({ length: 2000 }, (_, i) => i) }));
}

const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "application/json; charset=utf-8",
  "application/vnd.api+json",
  "APPLICATION/JSON",
  "application/json;",
  "json",
  "",
];

// ---- the plan ----
export interface Seeds {
  keys: string[];
  deploys: string[];
  events: string[];
  cursor: string;
}

export function plan(r: Rand, seeds: Seeds): Planned {
  const hostile = () => pick(r, HOSTILE);
  const mixed = (valid: () => string, pool: readonly string[] = HOSTILE) =>
    r() < 0.45 ? valid() : r() < 0.7 ? pick(r, pool) : hostile();
  const uuid = () =>
    mixed(() => uuidFrom(r), [enc("not-a-uuid"), "0".repeat(36), "00000000-0000-0000-0000-000000000000"]);
  const key = () => mixed(() => enc(pick(r, seeds.keys)));
  const date = () => mixed(() => pick(r, DATES.slice(7)), DATES);
  const num = () => mixed(() => String(1 + int(r, 20)), NUMBERS);
  const cursor = () =>
    mixed(
      () => seeds.cursor,
      [
        b64(JSON.stringify(pick(r, CURSOR_JSON))),
        b64(Buffer.from(Array.from({ length: int(r, 120) }, () => int(r, 256)))),
        `${seeds.cursor}${pick(r, ["x", "==", "%00", "!"])}`,
        seeds.cursor.slice(0, int(r, seeds.cursor.length)),
        "A".repeat(10_000),
      ],
    );
  const ruleName = () => mixed(() => pick(r, ["fuzz-1", "fuzz-2", "slack-url", "deploy-range", "nope", "toString"]));
  const qs = (params: Record<string, () => string>) => {
    const parts: string[] = [];
    for (const [name, value] of Object.entries(params)) {
      if (r() < 0.5) continue;
      parts.push(`${name}=${value()}`);
      if (r() < 0.05) parts.push(`${name}=${value()}`); // repeated: an array
    }
    if (r() < 0.05) parts.push(`${hostile()}=${hostile()}`);
    return parts.length ? `?${parts.join("&")}` : "";
  };

  const routes: Array<[string, () => string]> = [
    [
      "GET",
      () =>
        `/api/events${qs({
          platform: () => mixed(() => pick(r, ["github", "slack", "linear", "deploy"]), ["bitbucket", "GITHUB"]),
          type: () => mixed(() => enc(pick(r, ["github.pull_request.*", "deploy.*", "*.clos?d"]))),
          subject: key,
          since: date,
          until: date,
          limit: num,
          cursor,
        })}`,
    ],
    ["GET", () => `/api/events/${r() < 0.3 ? pick(r, seeds.events) : uuid()}`],
    ["POST", () => "/api/events"],
    ["POST", () => "/api/events/batch"],
    ["GET", () => `/api/entities/${key()}${qs({ depth: num, limit: num })}`],
    ["GET", () => `/api/deploys/${mixed(() => enc(pick(r, seeds.deploys)))}/changes`],
    [
      "GET",
      () =>
        `/api/metrics/dora${qs({
          repository: () => mixed(() => enc(pick(r, ["acme/web", "ACME/Web", "a/b"])), [enc("a".repeat(300) + "/b")]),
          environment: () => mixed(() => pick(r, ["production", "staging"])),
          since: date,
          until: date,
          bucket: () => mixed(() => pick(r, ["day", "week", "month"]), ["year", "DAY"]),
        })}`,
    ],
    ["GET", () => "/api/rules"],
    ["POST", () => "/api/rules"],
    ["GET", () => `/api/rules/${ruleName()}`],
    ["PUT", () => `/api/rules/${ruleName()}`],
    ["DELETE", () => `/api/rules/${ruleName()}`],
    ["POST", () => "/api/rules/test"],
    ["POST", () => `/api/rules/${ruleName()}/backfill`],
    ["GET", () => `/api/jobs/${mixed(() => String(1 + int(r, 5)), NUMBERS)}`],
    ["GET", () => "/api/queue"],
    ["GET", () => `/api/queue/failed${qs({ limit: num, offset: num })}`],
    ["POST", () => `/api/queue/failed/${mixed(() => uuidFrom(r))}/retry`],
    [
      "GET",
      () =>
        `/api/deliveries${qs({
          status: () => mixed(() => pick(r, ["stored", "pending", "unprocessable"])),
          platform: () => pick(r, ["github", "deploy", "x"]),
          limit: num,
          cursor: () => mixed(() => pick(r, seeds.events), [seeds.cursor]),
        })}`,
    ],
    // A real reprocess re-correlates and takes locks: seldom, so the run stays within its budget.
    ["POST", () => `/api/deliveries/${r() < 0.1 ? pick(r, seeds.events) : uuid()}/reprocess`],
  ];
  const [routeMethod, path] = pick(r, routes);
  // Now and then another method on the route: HEAD, OPTIONS, or one it does not serve.
  const method =
    r() < 0.1 ? pick(r, ["HEAD", "OPTIONS", "PATCH", "DELETE", "PUT", "POST", "GET", "TRACE"]) : routeMethod;
  const p: Planned = { method, path: path() };
  if ((method === "POST" || method === "PUT" || method === "PATCH") && r() < 0.9) {
    p.body = bodyFor(r, p.path);
    p.contentType = r() < 0.75 ? "application/json" : pick(r, CONTENT_TYPES);
    if (r() < 0.05) p.contentEncoding = pick(r, ["gzip", "deflate", "br", "identity", "x-unknown", "gzip, gzip"]);
  }
  return p;
}
