import { describe, expect, it } from "vitest";
import { fixedCatalog } from "../../../src/outbound/event-types/catalog.js";
import { globsOverlap, knownTypes, suggestion, typeProblems } from "../../../src/outbound/event-types/check-types.js";

const known = knownTypes([...fixedCatalog().map((e) => e.type), "custom.ci.build_done"]);
const check = (globs: string[], allowUnknown = false) => typeProblems(globs, known, { allowUnknown });

describe("a subscription's type globs against the catalog", () => {
  it("accepts globs that match known types, patterns and published custom types", () => {
    expect(
      check([
        "*",
        "deploy.*",
        "issue.shipped",
        "pr.shipped",
        "switchyard.test",
        "github.pull_request.*",
        "deploy.succe?ded",
        "circleci.workflow-completed.deploy.staging",
        "circleci.*.deploy.prod*",
        "custom.ci.*",
      ]),
    ).toEqual([]);
  });

  it("refuses a typo with 422's message naming it and the type meant", () => {
    expect(check(["deploy.*", "deploy.succeded"])).toEqual([
      'types[1]: "deploy.succeded" matches no known type (GET /api/event-types); did you mean deploy.succeeded?; ' +
        "give allowUnknownTypes: true to subscribe ahead of time",
    ]);
    expect(check(["issue.shiped"])[0]).toMatch(/did you mean issue\.shipped\?/);
    expect(check(["github.pull_requets.*"])[0]).toMatch(/did you mean github\.pull_request\.\*\?/);
  });

  it("names no suggestion when nothing is close", () => {
    const [problem] = check(["totally.different.thing"]);
    expect(problem).toMatch(/^types\[0\]: "totally\.different\.thing" matches no known type/);
    expect(problem).not.toMatch(/did you mean/);
  });

  it("refuses custom types not published, unless allowed ahead of time", () => {
    expect(check(["custom.ci.build_failed"])).toHaveLength(1);
    expect(check(["custom.other.*"])).toHaveLength(1);
    expect(check(["custom.ci.build_failed", "custom.other.*"], true)).toEqual([]);
  });

  it("refuses characters no type can have, even with allowUnknownTypes", () => {
    const problem = 'types[0]: "deploy.[unclosed" holds characters no type can have';
    expect(check(["deploy.[unclosed"])[0]).toMatch(new RegExp(`^${problem.replace(/[[\].]/g, "\\$&")}`));
    expect(check(["deploy.[unclosed"], true)).toHaveLength(1);
    expect(check(["deploy succeeded", "deploy/x", "dépl.*"], true)).toHaveLength(3);
  });

  it("accepts anything well-formed with allowUnknownTypes", () => {
    expect(check(["deploy.succeded", "vendor.future.type"], true)).toEqual([]);
  });

  it("checks only the globs `check` names (a PUT's new ones)", () => {
    const problems = typeProblems(["legacy.type", "deploy.succeded"], known, {
      allowUnknown: false,
      check: (g) => g !== "legacy.type",
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^types\[1\]/);
  });
});

describe("glob overlap", () => {
  it.each([
    ["a.*", "a.b", true],
    ["*.b", "a.*", true],
    ["a.*.c", "a.b.*", true],
    ["a?c", "a*", true],
    ["*", "*", true],
    ["a.*", "b.*", false],
    ["a.b", "a.c", false],
    ["x*y", "*z", false],
    ["a.*.deploy.*", "a.workflow-completed.deploy.*", true],
  ])("%s ∩ %s → %s", (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });

  it("stays fast on long star-heavy globs (memoized, not exponential)", () => {
    const a = "a*".repeat(100);
    const b = "*b".repeat(100);
    expect(globsOverlap(a, b)).toBe(true);
    expect(globsOverlap(`${"?".repeat(150)}x`, `${"*y".repeat(50)}`)).toBe(false);
  });
});

describe("suggestions", () => {
  it("suggests the nearest type only when it is near", () => {
    expect(suggestion("pr.shiped", ["pr.shipped", "issue.shipped"])).toBe("pr.shipped");
    expect(suggestion("zz", ["pr.shipped"])).toBeUndefined();
  });
});
