import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { anyHexMatches, hmacHexes } from "../../src/platforms/hmac-hex.js";

const body = Buffer.from('{"ünïcødé":"✓"}', "utf8");
const hex = (secret: string) => createHmac("sha256", secret).update(body).digest("hex");

describe("hmacHexes / anyHexMatches", () => {
  it("signs the exact bytes under each secret, in order", () => {
    expect(hmacHexes(["a", "b"], body)).toEqual([hex("a"), hex("b")]);
    expect(hmacHexes(["a"], Buffer.from(body.toString("latin1"), "utf8"))).not.toEqual([hex("a")]);
  });

  it("matches when any given signature is any expected one", () => {
    const expected = hmacHexes(["a", "b"], body);
    expect(anyHexMatches(expected, [hex("b")])).toBe(true);
    expect(anyHexMatches(expected, ["0".repeat(64), hex("a")])).toBe(true);
    expect(anyHexMatches(expected, [hex("c")])).toBe(false);
    expect(anyHexMatches(expected, [])).toBe(false);
    expect(anyHexMatches([], [hex("a")])).toBe(false);
  });

  it("counts only lower-case 64-hex signatures, whatever their length or spelling", () => {
    const expected = hmacHexes(["a"], body);
    for (const given of [hex("a").toUpperCase(), hex("a").slice(2), `${hex("a")}00`, ` ${hex("a")}`, "", "zz"]) {
      expect(anyHexMatches(expected, [given]), given).toBe(false);
    }
  });
});
