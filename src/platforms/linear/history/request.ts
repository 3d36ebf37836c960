import { LinearClient } from "@linear/sdk";
import { cappedBackoff } from "../../../queue/backoff.js";
import { errorHeaders, isRateLimited, PERMANENT_ERROR_TYPES, rateLimitResetMs } from "../api-errors.js";

/** How the history import waits on Linear: its rate limit waited out, other failures retried a few times. */
export interface LinearRetryOptions {
  /** Attempts of one request on failures other than the rate limit (then it throws). Default 4. */
  attempts?: number;
  /** First backoff between those attempts, doubling, with jitter. Default 1 s (up to 30 s). */
  baseMs?: number;
  /** The longest wait for one rate-limit reset; a later reset is retried after this. Default 60 s. */
  maxRateLimitWaitMs?: number;
  /** RATELIMITED answers waited out for one request before it throws. Default 30. */
  rateLimitRetries?: number;
  /** Each request's own timeout. Default 30 s. */
  timeoutMs?: number;
}

/** A history read that failed for good: the runner fails the job and the saved cursor stays. */
export class LinearHistoryError extends Error {
  override name = "LinearHistoryError";
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const messageOf = (err: unknown) => ((err as Error | null)?.message || String(err)).slice(0, 300);

/**
 * `request(document, variables)` against `apiUrl` through the SDK's client (its error types:
 * RatelimitedLinearError and the rest). RATELIMITED waits until the earlier reset of the request or
 * complexity budget (bounded) and asks again; a permanent error (key refused, bad query) throws at
 * once; others are retried with capped backoff, then thrown. The SDK's messages name the query and
 * variables, never the key.
 */
export function linearRequester(o: { apiKey: string; apiUrl: string; retry?: LinearRetryOptions }) {
  const attempts = o.retry?.attempts ?? 4;
  const baseMs = o.retry?.baseMs ?? 1000;
  const maxWait = o.retry?.maxRateLimitWaitMs ?? 60_000;
  const rateLimitRetries = o.retry?.rateLimitRetries ?? 30;
  const timeoutMs = o.retry?.timeoutMs ?? 30_000;

  const client = () => {
    try {
      return new LinearClient({
        apiKey: o.apiKey,
        apiUrl: o.apiUrl,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "error",
      });
    } catch (err) {
      // The SDK refuses a plain-http URL that is not loopback.
      throw new LinearHistoryError(`LINEAR_API_URL refused: ${messageOf(err)}`, { cause: err });
    }
  };

  return async function request<T>(document: string, variables: Record<string, unknown>): Promise<T> {
    let failures = 0;
    let limited = 0;
    for (;;) {
      const c = client();
      try {
        return (await c.client.rawRequest<T, Record<string, unknown>>(document, variables)).data as T;
      } catch (err) {
        if (isRateLimited(err)) {
          if (++limited > rateLimitRetries)
            throw new LinearHistoryError(`Linear: still rate limited after ${rateLimitRetries} waits`, { cause: err });
          await sleep(Math.min(rateLimitResetMs(errorHeaders(err)) ?? maxWait, maxWait));
          continue;
        }
        const type = (err as { type?: unknown }).type;
        const permanent = typeof type === "string" && PERMANENT_ERROR_TYPES.has(type);
        if (permanent || ++failures >= attempts)
          throw new LinearHistoryError(`Linear: ${messageOf(err)}`, { cause: err });
        await sleep(cappedBackoff(failures, baseMs, 30_000));
      }
    }
  };
}

export type LinearRequest = ReturnType<typeof linearRequester>;
