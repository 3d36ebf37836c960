import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeCursor, encodeCursor } from "../../src/store/read/cursor.js";
import { withinDeadline } from "../../src/http/deadline.js";
import { jsonBodyProblem, MAX_JSON_DEPTH } from "../../src/http/json-body.js";
import { entityKey, eventCursor, isoDate, limit, offset, repository, sqlText } from "../../src/api/params.js";
import { Refused } from "../../src/shared/errors.js";

const messages = (schema: z.ZodType, value: unknown) =>
  schema.safeParse(value).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`.replace(/^: /, "")) ?? [];
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const ID = "0190f5c2-7a3b-7c4d-8e5f-0123456789ab";

describe("sqlText", () => {
  it("refuses NUL, lone surrogates and too many bytes, one problem each", () => {
    expect(messages(entityKey, "github:pr:a/b\u0000#1")).toEqual(["must not contain NUL characters"]);
    expect(messages(entityKey, "x\ud800")).toEqual(["must be well-formed Unicode"]);
    expect(messages(sqlText(4), "éé!")).toEqual(["must be at most 4 bytes"]);
    expect(messages(sqlText(4), "")).toEqual(["must not be empty"]);
  });
  it("takes keys as stored, control characters and unicode included", () => {
    expect(entityKey.parse("slack:message:C1/1700000000.000100")).toBe("slack:message:C1/1700000000.000100");
    expect(entityKey.parse("linear:issue:ÉQ-1\u0001")).toBe("linear:issue:ÉQ-1\u0001");
  });
});

describe("isoDate", () => {
  it("takes years 1 to 9999 and gives a Date", () => {
    expect(isoDate.parse("0001-01-01T00:00:00Z").toISOString()).toBe("0001-01-01T00:00:00.000Z");
    expect(isoDate.parse("9999-12-31T23:59:59.999Z").toISOString()).toBe("9999-12-31T23:59:59.999Z");
  });
  it("refuses year 0 and dates whose zone takes them out of range", () => {
    for (const d of ["0000-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:00:00-05:00"]) {
      expect(messages(isoDate, d), d).toEqual(["must be a date in the years 1 to 9999"]);
    }
  });
  it("refuses six-digit years, impossible days and dates without a zone", () => {
    for (const d of ["+275760-09-13T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01", "2026-01-01T00:00:00", "x"]) {
      expect(messages(isoDate, d), d).toEqual(["must be an ISO-8601 date-time with a zone"]);
    }
  });
});

describe("numbers and names", () => {
  it("bounds limits and offsets", () => {
    expect(limit(500, 50).parse(undefined)).toBe(50);
    for (const v of ["0", "501", "NaN", "Infinity", "1.5", "-1", "1e308", "x"]) {
      expect(messages(limit(500, 50), v), v).toEqual(["must be an integer from 1 to 500"]);
    }
    expect(offset.safeParse("1000001").success).toBe(false);
    expect(offset.parse("7")).toBe(7);
  });
  it("takes owner/repo within GitHub's limits, lower-cased", () => {
    expect(repository.parse("Acme/Web")).toBe("acme/web");
    expect(repository.safeParse(`${"a".repeat(40)}/b`).success).toBe(false);
    expect(repository.safeParse("acme/web\u0000").success).toBe(false);
  });
  it("takes a GitLab project's repository id, nested groups too, lower-cased and bounded", () => {
    expect(repository.parse("gitlab:Acme/Platform/Web")).toBe("gitlab:acme/platform/web");
    expect(repository.safeParse("gitlab:acme").success).toBe(false);
    expect(repository.safeParse("gitlab:acme//web").success).toBe(false);
    expect(repository.safeParse("gitlab:acme/web:x").success).toBe(false);
    expect(repository.safeParse(`gitlab:acme/${"w".repeat(250)}`).success).toBe(false);
    expect(repository.safeParse("github:acme/web").success).toBe(false);
  });
});

describe("cursors", () => {
  it("decodes what encodeCursor made", () => {
    const c = { occurredAt: new Date("2026-01-01T00:00:00Z"), id: ID };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(eventCursor.parse(encodeCursor(c))).toEqual(c);
  });
  it("refuses anything else, including what would make PostgreSQL fail", () => {
    const forged = [
      "garbage!",
      "",
      "A".repeat(300),
      Buffer.from([0xff, 0xfe, 0x00]).toString("base64url"),
      b64(["0000-01-01T00:00:00.000Z", ID]), // year 0
      b64([8.64e15, ID]), // a number: year 275760
      b64(["+275760-09-13T00:00:00.000Z", ID]),
      b64(["2026-01-01T00:00:00.000Z", "-".repeat(36)]), // not a UUID for ::uuid
      b64(["2026-01-01T00:00:00.000Z", `${ID}\u0000`]),
      b64(["2026-01-01T00:00:00.000Z", ID, "extra"]),
      b64({ 0: "2026-01-01T00:00:00.000Z", 1: ID }),
      b64(null),
      b64("x"),
    ];
    for (const s of forged) {
      expect(decodeCursor(s), s).toBeNull();
      expect(messages(z.object({ cursor: eventCursor }), { cursor: s }), s).toEqual(["cursor: invalid"]);
    }
  });
});

describe("jsonBodyProblem", () => {
  it("takes ordinary bodies", () => {
    expect(jsonBodyProblem({ name: "r", where: { "payload.x": "é💥\n" }, list: [1, null, true] })).toBeNull();
  });
  it("refuses NUL and lone surrogates in values and keys, at any depth", () => {
    expect(jsonBodyProblem({ a: [{ b: "x\u0000" }] })).toMatch(/^body: text must not contain NUL/);
    expect(jsonBodyProblem({ a: "\udc00" })).toMatch(/lone surrogates/);
    expect(jsonBodyProblem({ "k\u0000": 1 })).toMatch(/^body: keys must not contain NUL/);
  });
  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels, without recursion`, () => {
    const nest = (n: number) => JSON.parse("[".repeat(n) + "]".repeat(n)) as unknown;
    expect(jsonBodyProblem(nest(MAX_JSON_DEPTH))).toBeNull();
    expect(jsonBodyProblem(nest(MAX_JSON_DEPTH + 1))).toMatch(/nested deeper/);
    expect(jsonBodyProblem(nest(500_000))).toMatch(/nested deeper/);
  });
});

describe("withinDeadline", () => {
  it("gives the work's result in time", async () => {
    await expect(withinDeadline(Promise.resolve(7), 50)).resolves.toBe(7);
  });
  it("refuses as queue_unavailable when Redis does not answer", async () => {
    const err = await withinDeadline(new Promise(() => undefined), 20).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Refused);
    expect((err as Refused).reason).toBe("queue_unavailable");
  });
});
