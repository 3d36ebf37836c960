import { describe, expect, it } from "vitest";
import {
  applyCustomRule,
  compileRule,
  type CompiledRule,
  MAX_LINKS_PER_RULE,
  MAX_MATCH_INPUT,
  type RuleInput,
} from "../../src/correlate/custom-rules.js";
import { matchesGlob } from "../../src/shared/glob.js";

/** The contract §7 example. */
const spec = {
  name: "ops-keys-in-pr-titles",
  on: "github.pull_request.*",
  where: { "payload.pull_request.base.ref": "main" },
  extract: { field: "payload.pull_request.title", pattern: "\\b(OPS-[0-9]+)\\b" },
  link: { to: "linear:issue:$1", relation: "references", confidence: 0.8 },
};

type Overrides = Record<string, unknown>;

/** The example with some parts replaced (objects merged one level deep). */
function ruleWith(over: Overrides = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...spec };
  for (const [k, v] of Object.entries(over)) {
    const base = out[k];
    out[k] = base && typeof base === "object" && v && typeof v === "object" ? { ...base, ...v } : v;
  }
  return out;
}

function compiled(over: Overrides = {}): CompiledRule {
  const c = compileRule(ruleWith(over));
  if (!c.ok) throw new Error(c.errors.join("; "));
  return c.compiled;
}

function errorsOf(input: unknown): string[] {
  const c = compileRule(input);
  if (c.ok) throw new Error("expected the rule to be refused");
  return c.errors;
}

function prEvent(title: string, baseRef: string | null = "main", subject = "github:pr:acme/web#1"): RuleInput {
  return {
    id: "e1",
    platform: "github",
    type: "github.pull_request.opened",
    subject,
    actor: "alice",
    payload: { pull_request: { base: { ref: baseRef }, title } },
  };
}

const targets = (c: CompiledRule, e: RuleInput) => applyCustomRule(c, e).map((l) => l.to);

function timed<T>(f: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = f();
  return { result, ms: performance.now() - start };
}

describe("compiling for as long as the service runs", () => {
  it("still compiles and applies after 10,000 fresh compiles", () => {
    // re2-wasm failed every compile after ~2,500 (fixed heap, patterns never freed); RE2JS is garbage-collected.
    let failures = 0;
    let last: CompiledRule | undefined;
    for (let i = 0; i < 10_000; i++) {
      const c = compileRule(ruleWith({ name: `rule-${i}` }));
      if (c.ok) last = c.compiled;
      else failures++;
    }
    expect(failures).toBe(0);
    expect(targets(last!, prEvent("Fix OPS-12"))).toEqual(["linear:issue:OPS-12"]);
    expect(targets(compiled(), prEvent("Fix OPS-13"))).toEqual(["linear:issue:OPS-13"]);
  });
});

describe("matching cost", () => {
  it.each([4_096, MAX_MATCH_INPUT / 4])("handles %i matches in 4 characters each quickly", (matches) => {
    // re2-wasm copied the whole text per match: 16 K characters with 4 K matches took 14.5 s. Every match makes the
    // same link, so the link cap never stops the scan: the whole text is matched.
    const c = compiled({ extract: { pattern: "\\b(x)\\b" } });
    const text = "x yz".repeat(matches);
    const { result, ms } = timed(() => targets(c, prEvent(text)));
    expect(result).toEqual(["linear:issue:x"]);
    expect(ms).toBeLessThan(250);
  });

  it("runs (a+)+$ linearly on 64 KiB that almost matches", () => {
    // A backtracking engine takes exponential time here.
    const c = compiled({ extract: { pattern: "(a+)+$" } });
    const { result, ms } = timed(() => targets(c, prEvent(`${"a".repeat(MAX_MATCH_INPUT - 1)}!`)));
    expect(result).toEqual([]);
    expect(ms).toBeLessThan(1000);
  });

  it("runs the largest accepted pattern over 64 KiB within the budget", () => {
    const c = compiled({ extract: { pattern: "(.{96})" } });
    const { result, ms } = timed(() => targets(c, prEvent("a".repeat(MAX_MATCH_INPUT))));
    expect(result).toEqual([`linear:issue:${"a".repeat(96)}`]);
    // ~0.3–0.5 s alone (linear, but about 100 NFA threads per character); the bound allows for a busy 2-CPU runner.
    expect(ms).toBeLessThan(1500);
  });

  it("reads only the first MAX_MATCH_INPUT characters", () => {
    const c = compiled();
    const text = `${".".repeat(MAX_MATCH_INPUT - 6)} OPS-1 OPS-2`;
    expect(targets(c, prEvent(text))).toEqual(["linear:issue:OPS-1"]);
  });
});

describe("globs", () => {
  it("matches a backtracking-prone glob in linear time", () => {
    // As a JS RegExp (a.*a.*…b) this took 11.4 s.
    const text = `github.${"a".repeat(50_000)}`;
    const { result, ms } = timed(() => matchesGlob("github.a*a*a*a*a*a*a*a*a*a*b", text));
    expect(result).toBe(false);
    expect(ms).toBeLessThan(50);
    expect(matchesGlob("github.a*a*a*a*a*a*a*a*a*a*b", `${text}b`)).toBe(true);
  });

  it.each([
    ["github.pull_request.*", "github.pull_request.opened", true],
    ["github.pull_request.*", "github.pull_request.", true],
    ["github.pull_request.*", "github.pull_request", false],
    ["github.pull_request.*", "github.push", false],
    ["github.*", "github.pull_request.opened", true],
    ["*", "anything.at.all", true],
    ["*", "", true],
    ["*.opened", "linear.issue.opened", true],
    ["*.opened", "linear.issue.opened.x", false],
    ["github.push", "github.push", true],
    ["github.push", "github.pushx", false],
    ["github.push", "xgithub.push", false],
    ["github.pu?h", "github.push", true],
    ["github.pu?h", "github.puh", false],
    ["github.????", "github.push", true],
    ["github.????", "github.pushed", false],
    ["github.*_request.*", "github.pull_request.closed", true],
    ["github.*_request.*", "github.pull.closed", false],
    ["*a*a", "aa", true],
    ["*a*a", "a", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    ["a*?b", "ab", false],
    ["a*?b", "axb", true],
    ["deploy.*.*", "deploy.status.success", true],
    ["github.pull_request.*", "github.pull.request.opened", false], // `.` is literal, not "any character"
  ])("%s against %s is %s", (glob, text, expected) => {
    expect(matchesGlob(glob, text)).toBe(expected);
  });

  it("decides which event types a rule sees", () => {
    const c = compiled({ on: "github.pull_request.?pened" });
    expect(targets(c, prEvent("OPS-1"))).toEqual(["linear:issue:OPS-1"]);
    expect(targets(c, { ...prEvent("OPS-1"), type: "github.pull_request.closed" })).toEqual([]);
  });
});

describe("applying a rule", () => {
  it("substitutes captures into link.to and describes the link", () => {
    const link = { from: "github:pr:acme/web#1", relation: "references", rule: spec.name, confidence: 0.8 };
    expect(applyCustomRule(compiled(), prEvent("Fix OPS-12, OPS-7 and OPS-12 again"))).toEqual([
      { ...link, to: "linear:issue:OPS-12" },
      { ...link, to: "linear:issue:OPS-7" },
    ]);
    const two = compiled({
      extract: { pattern: "([a-z]+)/([a-z]+)#([0-9]+)" },
      link: { to: "github:pr:$1/$2#$3" },
    });
    expect(targets(two, prEvent("see acme/api#42"))).toEqual(["github:pr:acme/api#42"]);
  });

  it("caps links at MAX_LINKS_PER_RULE", () => {
    const title = Array.from({ length: 3 * MAX_LINKS_PER_RULE }, (_, i) => `OPS-${i + 1}`).join(" ");
    const links = targets(compiled(), prEvent(title));
    expect(links).toHaveLength(MAX_LINKS_PER_RULE);
    expect(links[0]).toBe("linear:issue:OPS-1");
    expect(links.at(-1)).toBe(`linear:issue:OPS-${MAX_LINKS_PER_RULE}`);
  });

  it("steps past zero-length matches, and makes no link from empty captures", () => {
    // x* matches empty at every position; a loop that does not advance would never end.
    const c = compiled({ extract: { pattern: "(x*)" } });
    expect(targets(c, prEvent("abxcxxd"))).toEqual(["linear:issue:x", "linear:issue:xx"]);
    const { result, ms } = timed(() => targets(c, prEvent("b".repeat(MAX_MATCH_INPUT))));
    expect(result).toEqual([]);
    expect(ms).toBeLessThan(1000);
    expect(targets(compiled({ extract: { pattern: "()" } }), prEvent("abc"))).toEqual([]);
  });

  it("keeps a link when one of several referenced groups is empty", () => {
    const c = compiled({ extract: { pattern: "(?:(OPS-[0-9]+)|(ENG-[0-9]+))" }, link: { to: "linear:issue:$1$2" } });
    expect(targets(c, prEvent("OPS-1 ENG-2"))).toEqual(["linear:issue:OPS-1", "linear:issue:ENG-2"]);
  });

  it("filters on where", () => {
    const c = compiled();
    expect(targets(c, prEvent("OPS-1", "release"))).toEqual([]);
    expect(targets(c, prEvent("OPS-1", null))).toEqual([]);
    const anyBase = compiled({ where: { "payload.pull_request.base.ref": null, platform: "github" } });
    expect(targets(anyBase, prEvent("OPS-1", null))).toEqual(["linear:issue:OPS-1"]);
    expect(targets(anyBase, { ...prEvent("OPS-1", null), platform: "slack" })).toEqual([]);
  });

  it("reads only own properties of the event", () => {
    const c = compiled({ where: { "payload.constructor": null } });
    expect(targets(c, prEvent("OPS-1"))).toEqual(["linear:issue:OPS-1"]);
    const proto = compiled({ extract: { field: "payload.toString", pattern: "(function)" } });
    expect(targets(proto, prEvent("OPS-1"))).toEqual([]);
  });

  it("skips a link from the subject to itself", () => {
    expect(targets(compiled(), prEvent("OPS-1 OPS-2", "main", "linear:issue:OPS-1"))).toEqual(["linear:issue:OPS-2"]);
  });

  it("makes nothing without a subject or a text field", () => {
    expect(targets(compiled(), { ...prEvent("OPS-1"), subject: null })).toEqual([]);
    expect(targets(compiled({ extract: { field: "payload.pull_request" } }), prEvent("OPS-1"))).toEqual([]);
  });

  it("reads numbers as text", () => {
    const c = compiled({
      where: undefined,
      extract: { field: "payload.number", pattern: "([0-9]+)" },
      link: { to: "github:pr:acme/web#$1" },
    });
    expect(targets(c, { ...prEvent("x"), payload: { number: 42 } })).toEqual(["github:pr:acme/web#42"]);
  });

  it("keeps JS-style syntax: \\b, classes, named groups, \\u escapes and Unicode", () => {
    const named = compiled({ extract: { pattern: "\\b(?<key>OPS-\\d+)\\b" } });
    expect(targets(named, prEvent("xOPS-1 OPS-2"))).toEqual(["linear:issue:OPS-2"]);
    const escapes = compiled({ extract: { pattern: "\\u00e9t\\u{E9}:(\\p{L}+)" } });
    expect(targets(escapes, prEvent("été:Ünïcødé!"))).toEqual(["linear:issue:Ünïcødé"]);
    const pair = compiled({ extract: { pattern: "\\uD83D\\uDE80(.)" } });
    expect(targets(pair, prEvent("🚀é"))).toEqual(["linear:issue:é"]);
    const astral = compiled({ extract: { pattern: "^(.)" } });
    expect(targets(astral, prEvent("🚀 launch"))).toEqual(["linear:issue:🚀"]);
  });
});

describe("validation on save", () => {
  it("accepts the contract's example and counts its groups", () => {
    const c = compileRule(spec);
    expect(c.ok).toBe(true);
    if (c.ok) expect(c.compiled.groups).toBe(1);
  });

  it("refuses unknown fields", () => {
    expect(errorsOf({ ...spec, colour: "red" })).toEqual([expect.stringMatching(/unrecognized key.*colour/i)]);
    expect(errorsOf(ruleWith({ extract: { flags: "g" } }))).toEqual([expect.stringMatching(/^extract: .*flags/i)]);
    expect(errorsOf(ruleWith({ link: { weight: 2 } }))).toEqual([expect.stringMatching(/^link: .*weight/i)]);
  });

  it.each(["bitbucket.push", "github.pull request", "github..push", "github.Push", "github.push.", ""])(
    "refuses the glob %j",
    (on) => {
      expect(errorsOf(ruleWith({ on }))).toEqual([expect.stringMatching(/^on: a type glob/)]);
    },
  );

  it.each([
    ["(OPS-[0-9]+)-\\1", /^extract\.pattern: .*`\\1`.*backreferences are not supported/],
    ["(?<k>OPS-[0-9]+)\\k<k>", /^extract\.pattern: .*`\\k`.*backreferences are not supported/],
    ["(OPS-[0-9]+)(?=!)", /^extract\.pattern: .*`\(\?=`.*lookahead and lookbehind are not supported/],
    ["(OPS-[0-9]+)(?!x)", /^extract\.pattern: .*`\(\?!`.*lookahead and lookbehind are not supported/],
    ["(?<=see )(OPS-[0-9]+)", /^extract\.pattern: .*lookahead and lookbehind are not supported/],
    ["(?<!no )(OPS-[0-9]+)", /^extract\.pattern: .*lookahead and lookbehind are not supported/],
    ["(OPS-[0-9]+", /^extract\.pattern: error parsing regexp: missing closing \)/],
    ["([0-9]++)", /^extract\.pattern: error parsing regexp: .*nested repetition/],
    ["(\\u12)", /^extract\.pattern: error parsing regexp: invalid escape sequence: `\\u`/],
    ["(.{100})", /^extract\.pattern: too large \(\d+ RE2 instructions, at most 100\)/],
  ])("refuses the pattern %s with a clear message", (pattern, message) => {
    expect(errorsOf(ruleWith({ extract: { pattern } }))).toEqual([expect.stringMatching(message)]);
  });

  it("refuses $n beyond the pattern's capture groups", () => {
    expect(errorsOf(ruleWith({ link: { to: "linear:issue:$2" } }))).toEqual([
      "link.to: uses $2 but extract.pattern has 1 capture group(s)",
    ]);
    expect(errorsOf(ruleWith({ extract: { pattern: "(?:OPS-[0-9]+)" } }))).toEqual([
      "link.to: uses $1 but extract.pattern has 0 capture group(s)",
    ]);
    expect(compileRule(ruleWith({ extract: { pattern: "(a)(b)" }, link: { to: "linear:issue:$2" } })).ok).toBe(true);
  });

  it("refuses a built-in rule's name, but not inherited property names", () => {
    expect(errorsOf(ruleWith({ name: "linear-url" }))).toEqual(["name: name is taken by a built-in rule"]);
    expect(compileRule(ruleWith({ name: "constructor" })).ok).toBe(true);
  });
});
