import { describe, expect, it } from "vitest";
import { parseApiTokens } from "../../src/shared/api-tokens.js";
import { loadConfig } from "../../src/shared/config.js";

const A = "a".repeat(32);
const B = "b-0123456789abcdef0123456789abcdef";
const C = "c-0123456789abcdef0123456789abcdef";

/** The start-up error of an API_TOKENS value, or "" if it loads. */
const refusal = (value: string) => {
  try {
    loadConfig({ API_TOKENS: value });
    return "";
  } catch (err) {
    return (err as Error).message;
  }
};

describe("API_TOKENS with names and scopes", () => {
  it("reads plain, named and scoped entries; a plain or named token keeps full access", () => {
    const { tokens, problems } = parseApiTokens(` ${A} , ci:${B}:read,publish , ops:${C}:write+admin,`);
    expect(problems).toEqual([]);
    expect(tokens).toEqual([
      { secret: A },
      { name: "ci", secret: B, scopes: ["read", "publish"] },
      { name: "ops", secret: C, scopes: ["write", "admin"] },
    ]);
    expect(tokens[0]).not.toHaveProperty("scopes");
    expect(parseApiTokens(`dash:${A}`).tokens).toEqual([{ name: "dash", secret: A }]);
    expect(parseApiTokens(`dash:${A}`).tokens[0]).not.toHaveProperty("scopes");
    expect(loadConfig({ API_TOKENS: `${A},r:${B}:read` }).API_TOKENS).toEqual([
      { secret: A },
      { name: "r", secret: B, scopes: ["read"] },
    ]);
  });

  it("a bare scope word continues only a scoped entry; anything longer is an entry of its own", () => {
    expect(parseApiTokens(`ci:${B}:read,publish,${C}`).tokens).toEqual([
      { name: "ci", secret: B, scopes: ["read", "publish"] },
      { secret: C },
    ]);
    // After an unscoped entry a scope word is a (too short) token, never silently a scope.
    expect(parseApiTokens(`ci:${B},read`).problems).toEqual([
      "entry 2: every token must have at least 32 characters (e.g. `openssl rand -hex 32`)",
    ]);
  });

  it("refuses bad entries, naming each by name or position and never by its secret", () => {
    const short = "short-secret-value";
    const cases: [string, RegExp][] = [
      [`${A},${short}`, /entry 2: every token must have at least 32 characters/],
      [`ci:${short}:read`, /entry 1 \(ci\): every token must have at least 32 characters/],
      [`ci:${B}:read,pubish`, /entry 1 \(ci\): unknown scope "pubish" \(known: read, write, publish, admin\)/],
      [`ci:${B}:read+Admin!`, /entry 1 \(ci\): a scope list is read, write, publish, admin joined by/],
      [`ci:${B}:`, /entry 1 \(ci\): a scope list is/],
      [`ci:${B},ci:${C}:read`, /entry 2 \(ci\): the name is used twice/],
      [`${B},ci:${B}:read`, /entry 2 \(ci\): the same secret as an earlier entry/],
      [`:${B}`, /entry 1: a name is letters, digits/],
      [`bad name:${B}`, /entry 1: a name is letters, digits/],
    ];
    for (const [value, expected] of cases) {
      const message = refusal(value);
      expect(message, value).toMatch(/^invalid configuration: API_TOKENS: /);
      expect(message, value).toMatch(expected);
      for (const secret of [A, B, C, short]) expect(message, value).not.toContain(secret);
    }
    expect(refusal(`ci:${B}:read,publish`)).toBe("");
  });

  it("lists every problem at once", () => {
    expect(parseApiTokens(`x:short:read,nope,${A},x:${B}`).problems).toEqual([
      "entry 1 (x): every token must have at least 32 characters (e.g. `openssl rand -hex 32`)",
      'entry 1 (x): unknown scope "nope" (known: read, write, publish, admin)',
      "entry 3 (x): the name is used twice",
    ]);
  });
});
