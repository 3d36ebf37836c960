import { describe, expect, it } from "vitest";
import { customEntries, fixedCatalog } from "../../../src/outbound/event-types/catalog.js";
import { TYPE_CHARACTERS } from "../../../src/outbound/event-types/check-types.js";
import { RECEIVER_MODULES } from "../../../src/platforms/registry.js";
import { MILESTONE_DATA } from "../../../src/shared/message-schemas.js";
import { MILESTONE_EXAMPLES } from "../../../src/outbound/event-types/examples.js";

describe("the fixed event type catalog", () => {
  const catalog = fixedCatalog();

  it("declares types every platform could name: under its own prefix, of type characters, once", () => {
    for (const m of Object.values(RECEIVER_MODULES)) {
      expect(m.eventTypes.length, m.platform).toBeGreaterThan(0);
      for (const { type } of m.eventTypes) {
        expect(type.startsWith(`${m.platform}.`), type).toBe(true);
        expect(TYPE_CHARACTERS.test(type.replaceAll("*", "x")), type).toBe(true);
      }
    }
    const types = catalog.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
  });

  it("lists each milestone with an example its zod schema accepts", () => {
    const milestones = catalog.filter((e) => e.kind === "milestone");
    expect(milestones.map((e) => e.type).sort()).toEqual(Object.keys(MILESTONE_DATA).sort());
    for (const [type, schema] of Object.entries(MILESTONE_DATA))
      expect(schema.safeParse(MILESTONE_EXAMPLES[type as keyof typeof MILESTONE_DATA]).success, type).toBe(true);
  });

  it("gives event types their platform and type as constants of the schema", () => {
    const e = catalog.find((x) => x.type === "deploy.failed")!;
    expect(e).toMatchObject({ kind: "event", platform: "deploy", example: { type: "deploy.failed" } });
    expect(e.schema).toMatchObject({ properties: { type: { const: "deploy.failed" }, platform: { const: "deploy" } } });
  });

  it("makes published custom types entries: the event with any object as data, the latest published as example", () => {
    const published = {
      type: "custom.ci.done",
      source: "ci",
      subject: "deploy:generic:d-1",
      keys: [],
      data: { ok: true },
    };
    const [entry] = customEntries([{ type: "custom.ci.done", example: published }]);
    expect(entry).toMatchObject({ type: "custom.ci.done", kind: "custom", platform: "custom" });
    expect(entry!.example).toMatchObject({ type: "custom.ci.done", subject: "deploy:generic:d-1", data: { ok: true } });
    expect(entry!.schema).toMatchObject({
      properties: { data: { type: "object" }, type: { const: "custom.ci.done" } },
    });
  });
});
