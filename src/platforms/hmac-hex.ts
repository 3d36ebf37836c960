import { createHmac, timingSafeEqual } from "node:crypto";

/** The digests senders sign with: SHA-256 (PagerDuty, Sentry, CircleCI), SHA-1 (Vercel). */
type Digest = "sha256" | "sha1";
const HEX: Record<Digest, RegExp> = { sha256: /^[0-9a-f]{64}$/, sha1: /^[0-9a-f]{40}$/ };

/** Hex HMAC of the exact body bytes under each secret, in the order the secrets are configured. */
export const hmacHexes = (secrets: readonly string[], body: Buffer, digest: Digest = "sha256") =>
  secrets.map((secret) => createHmac(digest, secret).update(body).digest("hex"));

/**
 * Whether any given signature is one of the expected ones, compared in constant time on equal-length
 * buffers. Only lower-case hex of the digest's length counts: a signature spelled another way (upper case)
 * would verify too, but name the same bytes under another replay key.
 */
export function anyHexMatches(
  expected: readonly string[],
  given: readonly string[],
  digest: Digest = "sha256",
): boolean {
  let match = false;
  for (const g of given) {
    if (!HEX[digest].test(g)) continue;
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
