import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/shared/config.js";
import {
  EMPTY_KEYRING,
  isSealed,
  keyIdOf,
  keyProblems,
  keyring,
  open,
  openStored,
  seal,
  SealKeyError,
} from "../../src/shared/seal.js";

const entry = (id: string, key = randomBytes(32)) => `${id}:${key.toString("base64")}`;
const A = entry("a");
const B = entry("b");
const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const AT = "subscriptions.secrets:0190f0a0-0000-7000-8000-000000000001";

/** Flips one character of the part at `index` (of `sy1.kid.iv.ct.tag`). */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split(".");
  const part = parts[index]!;
  parts[index] = (part[0] === "A" ? "B" : "A") + part.slice(1);
  return parts.join(".");
}

describe("seal and open (AES-256-GCM)", () => {
  it("round-trips, with the key id kept and a fresh IV each time", () => {
    const ring = keyring([A]);
    const one = seal(ring, SECRET, AT);
    const two = seal(ring, SECRET, AT);
    expect(one).toMatch(/^sy1\.a\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(one).not.toBe(two);
    expect(one).not.toContain(SECRET.slice(6, 20));
    expect(isSealed(one)).toBe(true);
    expect(keyIdOf(one)).toBe("a");
    expect(open(ring, one, AT)).toBe(SECRET);
    expect(open(ring, two, AT)).toBe(SECRET);
    expect(open(ring, seal(ring, "", AT), AT)).toBe("");
    expect(open(ring, seal(ring, "ünïcødé ✓", AT), AT)).toBe("ünïcødé ✓");
  });

  it("refuses a value changed anywhere: IV, ciphertext, tag, or a truncated tag", () => {
    const ring = keyring([A]);
    const sealed = seal(ring, SECRET, AT);
    for (const index of [2, 3, 4]) expect(() => open(ring, tamper(sealed, index), AT)).toThrow(SealKeyError);
    const parts = sealed.split(".");
    parts[4] = parts[4]!.slice(0, 6);
    expect(() => open(ring, parts.join("."), AT)).toThrow(SealKeyError);
    expect(() => open(ring, "sy1.a.x", AT)).toThrow(/malformed/);
  });

  it("refuses a value moved to another column or row (additional data)", () => {
    const ring = keyring([A]);
    const sealed = seal(ring, SECRET, AT);
    expect(() => open(ring, sealed, AT.replace("secrets", "url"))).toThrow(SealKeyError);
    expect(() => open(ring, sealed, AT.replace(/1$/, "2"))).toThrow(SealKeyError);
  });

  it("refuses a wrong key, naming the key id and never the value", () => {
    const sealed = seal(keyring([A]), SECRET, AT);
    const err = (() => {
      try {
        open(keyring([entry("a")]), sealed, AT);
      } catch (e) {
        return e as SealKeyError;
      }
    })();
    expect(err).toBeInstanceOf(SealKeyError);
    expect(err!.keyId).toBe("a");
    expect(err!.message).toContain('"a"');
    expect(err!.message).not.toContain(SECRET);
    expect(() => open(keyring([B]), sealed, AT)).toThrow(/SECRETS_KEYS has no key with id "a"/);
    expect(() => open(EMPTY_KEYRING, sealed, AT)).toThrow(/SECRETS_KEYS is not set/);
    expect(() => seal(EMPTY_KEYRING, SECRET, AT)).toThrow(/SECRETS_KEYS is not set/);
  });

  it("rotates: the new key (first) seals, the old one (second) still opens", () => {
    const old = seal(keyring([A]), SECRET, AT);
    const rotated = keyring([B, A]);
    expect(open(rotated, old, AT)).toBe(SECRET);
    const fresh = seal(rotated, open(rotated, old, AT), AT);
    expect(keyIdOf(fresh)).toBe("b");
    expect(open(keyring([B]), fresh, AT)).toBe(SECRET);
  });

  it("reads a value stored before sealing as it is", () => {
    expect(isSealed(SECRET)).toBe(false);
    expect(openStored(EMPTY_KEYRING, SECRET, AT)).toBe(SECRET);
  });
});

describe("SECRETS_KEYS", () => {
  it("takes KEY_ID:BASE64 of 32 bytes, comma-separated, the first sealing", () => {
    const c = loadConfig({ SECRETS_KEYS: ` ${B} , ${A} ` });
    const ring = keyring(c.SECRETS_KEYS);
    expect(ring.current?.id).toBe("b");
    expect([...ring.keys.keys()]).toEqual(["b", "a"]);
    expect(loadConfig({}).SECRETS_KEYS).toEqual([]);
  });

  it("refuses a short key, a missing id, a repeated id, never echoing a value", () => {
    const short = `k:${randomBytes(16).toString("base64")}`;
    const noId = randomBytes(32).toString("base64");
    expect(keyProblems([short, noId, A, A.replace(/:.*/, `:${randomBytes(32).toString("base64")}`)])).toEqual([
      expect.stringMatching(/^entry 1 must be KEY_ID:KEY/),
      expect.stringMatching(/^entry 2 must be KEY_ID:KEY/),
      "entry 4 repeats a key id",
    ]);
    for (const bad of [short, noId, `${A},${A}`, "bad id:x"]) {
      let message = "";
      try {
        loadConfig({ SECRETS_KEYS: bad });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toMatch(/^invalid configuration: SECRETS_KEYS: /);
      for (const part of bad.split(/[:,]/)) if (part.length > 8) expect(message).not.toContain(part);
    }
  });
});
