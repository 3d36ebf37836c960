/**
 * How long a request GitHub refused for its rate limit asks to wait (ms), from the refusal's headers:
 * `retry-after` (seconds; secondary limits), else `x-ratelimit-reset` (epoch seconds) when
 * `x-ratelimit-remaining` is 0 (the primary one). Null for any other error.
 */
export function rateLimitWaitMs(err: unknown, now = Date.now()): number | null {
  const e = err as { status?: number; response?: { headers?: Record<string, string | number | undefined> } };
  if (e?.status !== 403 && e?.status !== 429) return null;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (String(headers["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset))
    return Math.max(0, reset * 1000 - now);
  return null;
}
