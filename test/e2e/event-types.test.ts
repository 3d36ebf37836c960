import { randomBytes, randomUUID } from "node:crypto";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import { post } from "../../kit/sign.js";
import { compileGlob } from "../../src/shared/glob.js";
import type { OutboxItem } from "../../src/shared/outbound.js";
import { readOutbox } from "../../src/store/outbox.js";
import { apiCall } from "../helpers/api-call.js";
import { useIsolatedService, waitFor } from "../helpers/service.js";
import { story } from "../helpers/story.js";

/**
 * GET /api/event-types (docs/outbound.md "Event type catalog"): every type with the JSON Schema of its data,
 * checked with a JSON Schema validator against its own example and against what the relay really sends;
 * and subscriptions refused for globs no known type matches. A schema of its own: it publishes custom types.
 */
const ctx = useIsolatedService({ OUTBOUND_ALLOW_PRIVATE: "true" });
const call = (method: string, path: string, body?: unknown) => apiCall(ctx)(method, path, body);
const ajv = new Ajv2020({ strict: false })
  .addFormat("date-time", (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s))
  .addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

interface Entry {
  type: string;
  kind: string;
  platform?: string;
  schema: Record<string, unknown>;
  example: unknown;
}

const MILESTONES = [
  "link.created",
  "pr.shipped",
  "issue.shipped",
  "deploy.changes",
  "pr.reverted",
  "deploy.rolled_back",
  "incident.linked",
];

/** A published custom event, as the custom platform stores one (platform `custom`, the body as payload). */
async function publish(type: string, data: unknown, occurredAt: string) {
  const payload = { type, source: type.split(".")[1], keys: [], data };
  const id = randomUUID();
  const deliveryId = randomUUID();
  await ctx.prisma.$executeRaw`
    INSERT INTO raw_deliveries (id, platform, delivery_id, received_at, headers, body)
    VALUES (${id}::uuid, 'custom', ${deliveryId}, now(), '{}'::jsonb, ${JSON.stringify(payload)})`;
  await ctx.prisma.$executeRaw`
    INSERT INTO events (id, platform, type, delivery_id, occurred_at, received_at, keys, priority, payload)
    VALUES (${id}::uuid, 'custom', ${type}, ${deliveryId}, ${occurredAt}::timestamptz, now(), '{}', 'normal',
      ${JSON.stringify(payload)}::jsonb)`;
}

const webhook = (over: Record<string, unknown>) => ({
  name: `types-${randomUUID().slice(0, 8)}`,
  kind: "webhook",
  url: "http://127.0.0.1:9/hook",
  ...over,
});

beforeAll(async () => {
  await publish("custom.ci.build_done", { build: 1 }, "2026-01-01T00:00:00Z");
  await publish("custom.ci.build_done", { build: 2, green: true }, "2026-01-02T00:00:00Z");
  await publish("custom.billing.invoice_paid", { amount: 10 }, "2026-01-01T00:00:00Z");
});

describe("GET /api/event-types", () => {
  let items: Entry[];
  beforeAll(async () => {
    const res = await call("GET", "/api/event-types");
    expect(res.status).toBe(200);
    items = res.json.items;
  });

  it("lists every milestone, the test message, platform types and the published custom types", () => {
    const types = new Set(items.map((e) => e.type));
    for (const t of [...MILESTONES, "switchyard.test", "deploy.succeeded", "github.pull_request.opened"])
      expect(types, t).toContain(t);
    expect(
      items
        .filter((e) => e.kind === "milestone")
        .map((e) => e.type)
        .sort(),
    ).toEqual([...MILESTONES].sort());
    const custom = items.filter((e) => e.kind === "custom");
    expect(custom.map((e) => e.type)).toEqual(["custom.billing.invoice_paid", "custom.ci.build_done"]);
    expect(custom[1]).toMatchObject({
      platform: "custom",
      example: { type: custom[1]!.type, data: { build: 2, green: true } },
    });
    expect(new Set(items.map((e) => `${e.kind}:${e.type}`)).size).toBe(items.length);
  });

  it("gives each type a JSON Schema that its own example satisfies", () => {
    for (const e of items) {
      const validate = ajv.compile(e.schema);
      expect(validate(e.example), `${e.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it("has schemas that refuse what a type's data is not", () => {
    const shipped = items.find((e) => e.type === "pr.shipped")!;
    expect(ajv.validate(shipped.schema, { deploy: {} })).toBe(false);
    const deploy = items.find((e) => e.type === "deploy.failed")!;
    expect(ajv.validate(deploy.schema, { ...(deploy.example as object), type: "deploy.succeeded" })).toBe(false);
  });

  it("filters by kind and platform, and refuses an unknown kind", async () => {
    const milestones = await call("GET", "/api/event-types?kind=milestone");
    expect(milestones.json.items.map((e: Entry) => e.type).sort()).toEqual([...MILESTONES].sort());
    const deploys = await call("GET", "/api/event-types?platform=deploy");
    expect(deploys.json.items.length).toBeGreaterThan(0);
    expect(deploys.json.items.every((e: Entry) => e.platform === "deploy" && e.type.startsWith("deploy."))).toBe(true);
    const custom = await call("GET", "/api/event-types?kind=custom&platform=custom");
    expect(custom.json.items).toHaveLength(2);
    expect((await call("GET", "/api/event-types?kind=bogus")).status).toBe(400);
  });

  it("describes what the relay really sends: every relayed message satisfies its type's schema", async () => {
    const s = story(`cat${randomBytes(2).toString("hex")}`);
    for (const step of s.steps) {
      const res = await post(`${ctx.url}/webhooks/${step.platform}`, await step.request());
      expect(res.status, step.name).toBe(202);
    }
    const relayed = await waitFor(async () => {
      const rows: OutboxItem[] = await readOutbox(ctx.prisma, 0n, 1000);
      return rows.some((r) => r.type === "issue.shipped") &&
        rows.filter((r) => r.kind === "event").length >= s.steps.length
        ? rows
        : null;
    }, 30_000);
    const kinds = new Set<string>();
    for (const m of relayed) {
      const entry = items.find((e) => e.type === m.type) ?? items.find((e) => compileGlob(e.type)(m.type));
      expect(entry, `${m.type} is in the catalog`).toBeDefined();
      expect(ajv.validate(entry!.schema, m.data), `${m.type}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      kinds.add(m.kind);
    }
    expect([...kinds].sort()).toEqual(["event", "milestone"]);
  });
});

describe("subscription types checked against the catalog", () => {
  it("refuses a typo with 422 naming the glob and the type meant", async () => {
    const res = await call("POST", "/api/subscriptions", webhook({ types: ["deploy.*", "deploy.succeded"] }));
    expect(res.status).toBe(422);
    expect(res.json.problems).toEqual([
      'types[1]: "deploy.succeded" matches no known type (GET /api/event-types); did you mean deploy.succeeded?; ' +
        "give allowUnknownTypes: true to subscribe ahead of time",
    ]);
  });

  it("refuses characters no type can have, even ahead of time", async () => {
    for (const allowUnknownTypes of [false, true]) {
      const res = await call("POST", "/api/subscriptions", webhook({ types: ["deploy.[unclosed"], allowUnknownTypes }));
      expect(res.status).toBe(422);
      expect(res.json.error).toMatch(/^types\[0\]: "deploy\.\[unclosed" holds characters no type can have/);
    }
  });

  it("accepts known types, globs and published custom types; unknown ones only ahead of time", async () => {
    const known = [
      "*",
      "deploy.*",
      "issue.shipped",
      "switchyard.test",
      "custom.ci.build_done",
      "circleci.*.deploy.prod",
    ];
    expect((await call("POST", "/api/subscriptions", webhook({ types: known }))).status).toBe(201);
    const ahead = webhook({ types: ["custom.ci.build_failed"] });
    expect((await call("POST", "/api/subscriptions", ahead)).status).toBe(422);
    const created = await call("POST", "/api/subscriptions", { ...ahead, allowUnknownTypes: true });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ types: ["custom.ci.build_failed"], allowUnknownTypes: true });
  });

  it("checks a PUT's new globs only", async () => {
    const def = webhook({ types: ["deploy.*"] });
    expect((await call("POST", "/api/subscriptions", def)).status).toBe(201);
    const typo = await call("PUT", `/api/subscriptions/${def.name}`, { types: ["deploy.*", "pr.shiped"] });
    expect(typo.status).toBe(422);
    expect(typo.json.error).toMatch(/"pr\.shiped" matches no known type.*did you mean pr\.shipped\?/);
    expect((await call("PUT", `/api/subscriptions/${def.name}`, { types: ["pr.shipped"] })).status).toBe(200);
    expect((await call("PUT", `/api/subscriptions/${def.name}`, { enabled: false })).status).toBe(200);
  });
});
