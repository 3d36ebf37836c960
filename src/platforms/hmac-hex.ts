import { createHmac, timingSafeEqual } from "node:crypto";

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Hex HMAC-SHA256 of the exact body bytes under each secret, in the order the secrets are configured. */
export const hmacHexes = (secrets: readonly string[], body: Buffer) =>
  secrets.map((secret) => createHmac("sha256", secret).update(body).digest("hex"));

/**
 * Whether any given signature is one of the expected ones, compared in constant time on equal-length
 * buffers. Only lower-case 64-hex signatures count: a signature spelled another way (upper case) would
 * verify too, but name the same bytes under another replay key.
 */
export function anyHexMatches(expected: readonly string[], given: readonly string[]): boolean {
  let match = false;
  for (const g of given) {
    if (!HEX_SHA256.test(g)) continue;
    const candidate = Buffer.from(g, "utf8");
    // Every pair is compared, so the time taken does not say which secret or position matched.
    for (const e of expected) match = timingSafeEqual(candidate, Buffer.from(e, "utf8")) || match;
  }
  return match;
}

/**
 * The `v1=` signatures of a comma-separated signature header (PagerDuty's `X-PagerDuty-Signature`,
 * CircleCI's `circleci-signature`); other versions are not ours to check.
 */
export const v1Signatures = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1="))
    .map((s) => s.slice(3));
