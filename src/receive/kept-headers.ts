import type { IncomingHttpHeaders } from "node:http";

/** Kept for every platform: what says how to read the body and who sent it. */
const COMMON = ["content-type", "user-agent"] as const;

/**
 * Never kept, whatever a platform lists: signatures (a stored one would let whoever reads the
 * delivery re-post it) and credentials (contract §6).
 */
const NEVER = /^(authorization|proxy-authorization|cookie|x-api-key|x-gitlab-token)$|signature|secret|token/;

/**
 * The request headers stored with the raw delivery: an allow-list (the common headers and the
 * platform's `keep`), so a header a proxy or sender adds later is never stored by surprise. The
 * list is settled once per receiver; each request only looks its names up.
 */
export function headerKeeper(keep: readonly string[] = []): (headers: IncomingHttpHeaders) => Record<string, string> {
  const names = [...new Set([...COMMON, ...keep])].filter((name) => !NEVER.test(name));
  return (headers) => {
    const kept: Record<string, string> = {};
    for (const name of names) {
      const value = headers[name];
      if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    return kept;
  };
}

/** The kept headers of one request (headerKeeper for a single use). */
export const keptHeaders = (headers: IncomingHttpHeaders, keep: readonly string[] = []) => headerKeeper(keep)(headers);
