import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Secrets at rest (docs/security.md): AES-256-GCM under keys from `SECRETS_KEYS`, one random
 * 12-byte IV per value, the key's id kept with the value so several keys can open during a
 * rotation. A sealed value is text: `sy1.<key id>.<iv>.<ciphertext>.<tag>` (base64url). The
 * additional data binds it to where it is stored (`subscriptions.url:<row id>`): a sealed value
 * copied into another column or row does not open.
 */

const VERSION = "sy1";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_32 = /^[A-Za-z0-9+/_-]{43}=?$/;

export interface SealKey {
  id: string;
  key: Buffer;
}

/** The keys a process has: the first seals, every one opens. */
export interface Keyring {
  /** Seals new values; undefined when `SECRETS_KEYS` is empty. */
  readonly current: SealKey | undefined;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** A sealed value cannot be opened (or a value cannot be sealed) with the keys configured. */
export class SealKeyError extends Error {
  constructor(
    message: string,
    /** The key id a value names that no configured key opens; undefined when none is configured. */
    readonly keyId?: string,
  ) {
    super(message);
    this.name = "SealKeyError";
  }
}

/**
 * What is wrong with `SECRETS_KEYS` entries (`<key id>:<base64 of 32 bytes>`), one message each,
 * naming the entry by position: an entry could hold a key, so no message quotes one.
 */
export function keyProblems(entries: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const at = entry.indexOf(":");
    const id = at < 0 ? "" : entry.slice(0, at);
    const key = at < 0 ? "" : entry.slice(at + 1);
    if (!KEY_ID.test(id) || !BASE64_32.test(key) || Buffer.from(key, "base64").length !== 32)
      problems.push(
        `entry ${i + 1} must be KEY_ID:KEY, an id of letters, digits, _ or - ` +
          `and the base64 of 32 random bytes (openssl rand -base64 32)`,
      );
    else if (seen.has(id)) problems.push(`entry ${i + 1} repeats a key id`);
    seen.add(id);
  });
  return problems;
}

/** The keyring of valid `SECRETS_KEYS` entries (see keyProblems); the first one seals. */
export function keyring(entries: readonly string[]): Keyring {
  const keys = new Map<string, Buffer>();
  let current: SealKey | undefined;
  for (const entry of entries) {
    if (keyProblems([entry]).length) throw new SealKeyError("SECRETS_KEYS holds an invalid entry");
    const at = entry.indexOf(":");
    const id = entry.slice(0, at);
    const key = Buffer.from(entry.slice(at + 1), "base64");
    if (keys.has(id)) throw new SealKeyError("SECRETS_KEYS repeats a key id");
    keys.set(id, key);
    current ??= { id, key };
  }
  return { current, keys };
}

export const EMPTY_KEYRING: Keyring = { current: undefined, keys: new Map() };

/** Whether a stored value is sealed (anything else is plain text written before sealing). */
export const isSealed = (value: string): boolean => value.startsWith(`${VERSION}.`);

/** The id of the key a sealed value was sealed with. */
export function keyIdOf(value: string): string | undefined {
  return isSealed(value) ? value.split(".")[1] : undefined;
}

const aadOf = (id: string, context: string) => Buffer.from(`${VERSION}.${id}.${context}`, "utf8");

/** Seals `plain` under the keyring's current key, bound to `context` (where it is stored). */
export function seal(ring: Keyring, plain: string, context: string): string {
  const k = ring.current;
  if (!k)
    throw new SealKeyError(
      "SECRETS_KEYS is not set: secrets cannot be stored until a key is configured (see docs/security.md)",
    );
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", k.key, iv, { authTagLength: 16 });
  cipher.setAAD(aadOf(k.id, context));
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const parts = [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString("base64url"));
  return [VERSION, k.id, ...parts].join(".");
}

/**
 * Opens a value `seal` made for the same `context`. Throws SealKeyError naming the key id when no
 * configured key has that id or the one that has it does not open the value (another key, or the
 * value changed or moved); the message never quotes the value.
 */
export function open(ring: Keyring, sealed: string, context: string): string {
  const parts = sealed.split(".");
  if (parts.length !== 5 || parts[0] !== VERSION || !KEY_ID.test(parts[1]!))
    throw new SealKeyError(`a sealed value of ${context} is malformed`);
  const [, id, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  const key = ring.keys.get(id);
  if (!key)
    throw new SealKeyError(
      ring.keys.size
        ? `SECRETS_KEYS has no key with id "${id}", which sealed ${context}: add it back (see docs/security.md)`
        : `SECRETS_KEYS is not set, but ${context} is sealed with key id "${id}": set it (see docs/security.md)`,
      id,
    );
  try {
    // The tag's length is fixed: GCM would otherwise accept a truncated (weaker) tag.
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: 16 });
    decipher.setAAD(aadOf(id, context));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SealKeyError(
      `the SECRETS_KEYS key with id "${id}" does not open ${context}: ` +
        `a different key under that id, or the value was altered`,
      id,
    );
  }
}

/** Values each keyring has opened: a worker reads the same subscription for every message it sends. */
const opened = new WeakMap<Keyring, Map<string, string>>();
const OPENED_MAX = 10_000;

/**
 * A stored value as plain text: opened if sealed (once per keyring, value and context: the value
 * holds a random IV, so the same text always opens to the same secret), as is if written before sealing.
 */
export function openStored(ring: Keyring, stored: string, context: string): string {
  if (!isSealed(stored)) return stored;
  let cache = opened.get(ring);
  if (!cache) opened.set(ring, (cache = new Map()));
  const key = `${context}\n${stored}`;
  let plain = cache.get(key);
  if (plain === undefined) {
    plain = open(ring, stored, context);
    if (cache.size >= OPENED_MAX) cache.clear();
    cache.set(key, plain);
  }
  return plain;
}
