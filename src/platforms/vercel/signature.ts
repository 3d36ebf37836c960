import { createHmac, timingSafeEqual } from "node:crypto";

const HEX_SHA1 = /^[0-9a-f]{40}$/;

/** Hex HMAC-SHA1 of the exact body under each secret, in the order they are configured (Vercel's scheme). */
export const sha1Hexes = (secrets: readonly string[], body: Buffer) =>
  secrets.map((secret) => createHmac("sha1", secret).update(body).digest("hex"));

/**
 * Whether the given signature is one of the expected ones, in constant time on equal-length buffers.
 * Only lower-case 40-hex counts, as Vercel sends it (see hmac-hex.ts for why other spellings are refused).
 */
export function sha1Matches(expected: readonly string[], given: string): boolean {
  if (!HEX_SHA1.test(given)) return false;
  const candidate = Buffer.from(given, "utf8");
  let match = false;
  // Every secret is compared, so the time taken does not say which one matched.
  for (const e of expected) match = timingSafeEqual(candidate, Buffer.from(e, "utf8")) || match;
  return match;
}
