/**
 * Linear's API errors as the SDK raises them. The rate limit, as its errors carry it (https://linear.app/developers/rate-limiting): HTTP 400
 * with `errors[].extensions.code` "RATELIMITED" (the SDK types it `Ratelimited` only when the error
 * names its type), and the request and complexity budgets' resets in headers. The outbound sender
 * and the history import read it the same way.
 */

interface LinearLikeError {
  type?: string;
  status?: number;
  raw?: { response?: { headers?: Headers; errors?: Array<{ extensions?: { code?: string } }> } };
}

/** Linear's RATELIMITED: typed by the SDK when the error says so, else by its code or a 429. */
export function isRateLimited(err: unknown): boolean {
  const e = (err ?? {}) as LinearLikeError;
  return (
    e.type === "Ratelimited" ||
    e.status === 429 ||
    (e.raw?.response?.errors ?? []).some((g) => g.extensions?.code === "RATELIMITED")
  );
}

/** The headers of the answer an SDK error came from. */
export const errorHeaders = (err: unknown): Headers | undefined =>
  (err as LinearLikeError | null)?.raw?.response?.headers;

/**
 * Milliseconds until the earlier reset of the request or complexity budget
 * (`X-RateLimit-Requests-Reset`, `X-RateLimit-Complexity-Reset`: epoch milliseconds, or seconds),
 * at least a second; undefined when neither is in the future.
 */
export function rateLimitResetMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const resets = ["x-ratelimit-requests-reset", "x-ratelimit-complexity-reset"]
    .map((h) => Number(headers?.get(h)))
    .filter((v) => v > 0)
    .map((v) => (v < 1e12 ? v * 1000 : v) - now)
    .filter((ms) => ms > 0);
  return resets.length ? Math.max(1000, Math.min(...resets)) : undefined;
}

/** Errors another attempt cannot mend (the SDK's `LinearErrorType`s): the request or the key is wrong. */
export const PERMANENT_ERROR_TYPES: ReadonlySet<string> = new Set([
  "AuthenticationError",
  "Forbidden",
  "FeatureNotAccessible",
  "InvalidInput",
  "UserError",
  "GraphqlError",
  "UsageLimitExceeded",
]);
