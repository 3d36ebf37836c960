import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/**
 * The secret an `Authorization` header presents: `Bearer <secret>`, or HTTP Basic whose password is the
 * secret (any user name); null for anything else.
 */
export function presentedSecret(authorization: string): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/**
 * Whether `given` is one of `secrets`: their SHA-256 digests compared with timingSafeEqual, every secret
 * each time, so neither which secret matched nor a secret's length shows in the time taken.
 */
export function secretMatcher(secrets: readonly string[]): (given: string | null) => boolean {
  const known = secrets.map(digest);
  return (given) => {
    const presented = digest(given ?? "");
    let match = false;
    for (const k of known) match = timingSafeEqual(k, presented) || match;
    return given !== null && match;
  };
}
