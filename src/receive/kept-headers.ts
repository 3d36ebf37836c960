/** Kept for every platform: what says how to read the body and who sent it. */
const COMMON = ["content-type", "user-agent"] as const;

/**
 * Never kept, whatever a platform lists: signatures (a stored one would let whoever reads the
 * delivery re-post it) and credentials (SPEC §6).
 */
const NEVER = /^(authorization|proxy-authorization|cookie|x-api-key|x-gitlab-token)$|signature|secret|token/;

/**
 * The request headers stored with the raw delivery: an allow-list (the common headers and the
 * platform's `keep`), so a header a proxy or sender adds later is never stored by surprise.
 */
export function keptHeaders(
  headers: Record<string, string | string[] | undefined>,
  keep: readonly string[] = [],
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of [...COMMON, ...keep]) {
    const value = headers[name];
    if (value === undefined || NEVER.test(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return kept;
}
