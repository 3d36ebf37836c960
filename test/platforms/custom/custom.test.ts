import { describe, expect, it } from "vitest";
import { publishedEvent, MAX_DATA_BYTES } from "../../../src/platforms/custom/body.js";
import { publishedDelivery, PUBLISHER_HEADER } from "../../../src/platforms/custom/delivery.js";
import { canonicalKey } from "../../../src/platforms/custom/keys.js";
import { normalizeCustom } from "../../../src/platforms/custom/normalize.js";
import { applyCustomRule, compileRule } from "../../../src/correlate/custom-rules.js";

const event = {
  type: "custom.ci-bot.build.finished",
  source: "ci-bot",
  subject: "custom:ci-bot:build-9",
  keys: ["github:commit:Acme/Web@ABCDEF0123456789ABCDEF0123456789ABCDEF01", "linear:issue:eng-7"],
  occurredAt: "2026-12-01T10:00:00Z",
  priority: "high",
  data: { status: "green", tickets: ["OPS-1"] },
  idempotencyKey: "build-9",
};

const problems = (input: unknown) => {
  const r = publishedEvent.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("a published event's body", () => {
  it("takes a full event and a minimal one", () => {
    expect(problems(event)).toEqual([]);
    expect(problems({ type: "custom.a.b", source: "a", data: {} })).toEqual([]);
  });

  it("refuses types outside custom.<source>., bad sources, keys, dates, priorities and unknown fields", () => {
    expect(problems({ ...event, type: "custom.other.build" })).toEqual([
      expect.stringMatching(/^type: must be custom\.ci-bot\./),
    ]);
    expect(problems({ ...event, type: "github.push" })).toHaveLength(1);
    expect(problems({ ...event, type: "custom.ci-bot." })).toHaveLength(1);
    expect(problems({ ...event, type: "custom.ci-bot.Build" })).toHaveLength(1);
    expect(problems({ ...event, source: "CI bot", type: "custom.CI bot.x" })[0]).toMatch(/^source:/);
    expect(problems({ ...event, subject: "not a key" })[0]).toMatch(/^subject:/);
    expect(problems({ ...event, keys: ["github:pr:a/b#1", "x"] })[0]).toMatch(/^keys\.1:/);
    expect(problems({ ...event, keys: [`custom:x:${"k".repeat(600)}`] })[0]).toMatch(/^keys\.0: at most 512 bytes/);
    expect(problems({ ...event, occurredAt: "yesterday" })[0]).toMatch(/^occurredAt:/);
    expect(problems({ ...event, priority: "urgent" })[0]).toMatch(/^priority:/);
    expect(problems({ ...event, data: [1] })[0]).toMatch(/^data:/);
    expect(problems({ ...event, data: { x: "y".repeat(MAX_DATA_BYTES) } })[0]).toMatch(/^data: at most/);
    expect(problems({ ...event, idempotencyKey: "" })[0]).toMatch(/^idempotencyKey:/);
    expect(problems({ ...event, extra: 1 })[0]).toMatch(/extra/);
  });
});

describe("a published event as a delivery and an event", () => {
  it("takes its delivery id from (source, idempotencyKey), else its own id, and names its publisher", () => {
    const at = new Date("2026-12-02T00:00:00Z");
    const d = publishedDelivery(publishedEvent.parse(event), "ci", at);
    expect(d).toMatchObject({
      platform: "custom",
      deliveryId: "ci-bot:build-9",
      type: "custom.ci-bot.build.finished",
      priority: "high",
      receivedAt: at.toISOString(),
      headers: { [PUBLISHER_HEADER]: "ci" },
    });
    expect(publishedDelivery(publishedEvent.parse(event), "ci", at).id).not.toBe(d.id);
    const { idempotencyKey: _, priority: __, ...unkeyed } = event;
    const u = publishedDelivery(publishedEvent.parse(unkeyed), "ci", at);
    expect(u.deliveryId).toBe(u.id);
    expect(u.priority).toBe("normal");
  });

  it("normalizes to the unified event with canonical keys, its subject and its time", () => {
    const d = publishedDelivery(publishedEvent.parse(event), "ci", new Date("2026-12-02T00:00:00Z"));
    const e = normalizeCustom(d);
    expect(e).toMatchObject({
      type: "custom.ci-bot.build.finished",
      subject: "custom:ci-bot:build-9",
      occurredAt: new Date("2026-12-01T10:00:00Z"),
      keys: [
        "custom:ci-bot:build-9",
        "github:commit:acme/web@abcdef0123456789abcdef0123456789abcdef01",
        "linear:issue:ENG-7",
      ],
      rows: {},
    });
    expect(e.payload).toEqual({ ...event, keys: e.keys.slice(1) });
    const { occurredAt: _, subject: __, ...bare } = event;
    const b = normalizeCustom(publishedDelivery(publishedEvent.parse(bare), "ci", new Date("2026-12-02T00:00:00Z")));
    expect(b.subject).toBeNull();
    expect(b.occurredAt).toEqual(new Date("2026-12-02T00:00:00Z"));
  });

  it("canonicalKey spells GitHub, GitLab and Linear keys as Switchyard does, others as given", () => {
    expect(canonicalKey("github:pr:Acme/Web#7")).toBe("github:pr:acme/web#7");
    expect(canonicalKey("gitlab:mr:G/P!3")).toBe("gitlab:mr:g/p!3");
    expect(canonicalKey("linear:issue:eng-42")).toBe("linear:issue:ENG-42");
    expect(canonicalKey("custom:ci:Build-9")).toBe("custom:ci:Build-9");
  });
});

describe("custom rules on published events", () => {
  it("match custom.<source>.* types with dashes, and each item of a list field such as payload.keys", () => {
    const c = compileRule({
      name: "ci-commits",
      on: "custom.ci-bot.*",
      extract: { field: "payload.keys", pattern: "^github:commit:([^@]+@[0-9a-f]{40})$" },
      link: { to: "github:commit:$1", relation: "builds", confidence: 0.9 },
    });
    if (!c.ok) throw new Error(c.errors.join("; "));
    const e = {
      ...normalizeCustom(publishedDelivery(publishedEvent.parse(event), "ci", new Date())),
      id: "x",
      platform: "custom",
    };
    expect(applyCustomRule(c.compiled, e)).toEqual([
      {
        from: "custom:ci-bot:build-9",
        to: "github:commit:acme/web@abcdef0123456789abcdef0123456789abcdef01",
        relation: "builds",
        rule: "ci-commits",
        confidence: 0.9,
      },
    ]);
    expect(applyCustomRule(c.compiled, { ...e, type: "custom.other.x" })).toEqual([]);
  });
});
