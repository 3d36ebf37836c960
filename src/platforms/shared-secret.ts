import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/**
 * Whether a presented secret (Argo CD's bearer token or Basic password, GitLab's `X-Gitlab-Token`) is one of
 * `secrets`: their SHA-256 digests compared with timingSafeEqual, every secret each time, so neither which
 * secret matched nor a secret's length shows in the time taken.
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
