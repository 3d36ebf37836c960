import { Octokit } from "@octokit/rest";
import {
  failedOutcome,
  type DispatchTarget,
  type OutgoingMessage,
  type Sender,
  type SendOutcome,
} from "../../shared/outbound.js";
import { parseRetryAfter } from "../schedule.js";

/**
 * `kind: "github-dispatch"` (issue 18, CI triggers): each message starts a GitHub Actions run, as a
 * `repository_dispatch` (`eventType`: the message is the `client_payload`) or a `workflow_dispatch`
 * (`workflow` and `ref`: the message, as JSON text, is the `switchyard_event` input; workflow inputs
 * are strings and only declared ones are accepted). One request an attempt and no retry inside it:
 * the outbound schedule retries, and each attempt is recorded. GitHub has no idempotency key, so an
 * attempt whose answer was lost may start a second run; the payload's `id` is the same on both.
 */

export interface GithubDispatchSenderOptions {
  /** `GITHUB_DISPATCH_TOKEN`, else `GITHUB_TOKEN`. */
  token?: string;
  /** `GITHUB_API_URL`; GitHub's own API when unset. */
  apiUrl?: string;
  /** Per request (contract §9: 15 s). */
  timeoutMs?: number;
}

/** The workflow input a `workflow_dispatch` carries the message in. */
export const WORKFLOW_INPUT = "switchyard_event";
/** GitHub refuses a `client_payload` (or inputs) of 64 KB or more: said before asking, and not retried. */
const MAX_PAYLOAD_BYTES = 65_536;
/** Characters of GitHub's answer kept for the attempt log. */
const RESPONSE_CHARS = 500;

export interface DispatchRequest {
  /** `POST /repos/{owner}/{repo}/dispatches`, or the workflow's `…/actions/workflows/{workflow_id}/dispatches`. */
  route: string;
  params: Record<string, unknown> & { owner: string; repo: string };
  /** How the attempt log names it: `acme/ci repository_dispatch (deploy)`. */
  label: string;
  /** The bytes of what carries the message (the `client_payload`, or the input's text). */
  payloadBytes: number;
}

/**
 * The request for a message. The client_payload is the message as webhooks get it, with its id:
 * four top-level properties (GitHub takes at most 10), so a workflow reads
 * `github.event.client_payload.data…`.
 */
export function dispatchRequest(target: DispatchTarget, message: OutgoingMessage): DispatchRequest {
  const [owner, repo] = target.repository.split("/") as [string, string];
  const envelope = { id: message.id, ...message.payload };
  if ("eventType" in target) {
    return {
      route: "POST /repos/{owner}/{repo}/dispatches",
      params: { owner, repo, event_type: target.eventType, client_payload: envelope },
      label: `${target.repository} repository_dispatch (${target.eventType})`,
      payloadBytes: Buffer.byteLength(JSON.stringify(envelope)),
    };
  }
  const text = JSON.stringify(envelope);
  return {
    route: "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    params: { owner, repo, workflow_id: target.workflow, ref: target.ref, inputs: { [WORKFLOW_INPUT]: text } },
    label: `${target.repository} workflow_dispatch (${target.workflow} on ${target.ref})`,
    payloadBytes: Buffer.byteLength(text),
  };
}

interface GithubLikeError {
  status?: number;
  message?: string;
  response?: { status?: number; headers?: Record<string, string | undefined>; data?: unknown };
}

/** GitHub's answer, short, for the attempt log; it never holds the token. */
const responseText = (data: unknown) =>
  (typeof data === "string" ? data : JSON.stringify(data ?? null)).slice(0, RESPONSE_CHARS);

/** How long a rate limit asks us to wait: `Retry-After`, else until `x-ratelimit-reset`. */
function rateLimitWaitMs(headers: Record<string, string | undefined>, now: number): number | undefined {
  const after = parseRetryAfter(headers["retry-after"], now);
  if (after !== null) return after;
  const reset = Number(headers["x-ratelimit-reset"]);
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : undefined;
}

/** Whether a 403 or 429 is a rate limit (GitHub also answers 403 for a token lacking permission). */
function isRateLimit(status: number, headers: Record<string, string | undefined>, message: string): boolean {
  if (status === 429) return true;
  return (
    status === 403 &&
    (headers["x-ratelimit-remaining"] === "0" || headers["retry-after"] !== undefined || /rate limit/i.test(message))
  );
}

/** Why GitHub refused, per status, naming the repository (and never the token). */
function refusal(status: number, label: string, message: string): string {
  const why = message ? `: ${message.slice(0, 200)}` : "";
  if (status === 401) return `GitHub refused the dispatch token (401) for ${label}${why}`;
  if (status === 403) return `the dispatch token may not dispatch to ${label} (403)${why}`;
  if (status === 404)
    return `GitHub answered 404 for ${label}: no such repository or workflow, or the token cannot see it`;
  if (status === 422) return `GitHub refused ${label} (422)${why}`;
  return `GitHub answered ${status} for ${label}${why}`;
}

/**
 * A failed request as an attempt's outcome: a rate limit waits as GitHub says, a 5xx, 408 or a
 * network failure (timeout included) is retried, any other refusal is dead at once.
 */
export function dispatchFailure(err: unknown, label: string, now = Date.now()): SendOutcome {
  const e = (err ?? {}) as GithubLikeError;
  const response = e.response;
  if (!response || typeof response.status !== "number") {
    const cause = e.message || String(err);
    return failedOutcome(`GitHub request failed for ${label}: ${cause.slice(0, 200)}`);
  }
  const status = response.status;
  const headers = response.headers ?? {};
  const data = response.data as { message?: unknown } | undefined;
  const message = typeof data?.message === "string" ? data.message : "";
  const extra = { statusCode: status, response: responseText(response.data) };
  if (isRateLimit(status, headers, message))
    return failedOutcome(`GitHub rate limit (${status}) for ${label}`, {
      ...extra,
      retryAfterMs: rateLimitWaitMs(headers, now),
    });
  const retryable = status >= 500 || status === 408;
  return failedOutcome(refusal(status, label, message), { ...extra, permanent: !retryable });
}

export function githubDispatchSender(options: GithubDispatchSenderOptions): Sender {
  const timeoutMs = options.timeoutMs ?? 15_000;
  // Plain Octokit: no retry or throttling plugin, the outbound schedule retries and records each attempt.
  const client = options.token
    ? new Octokit({
        auth: options.token,
        ...(options.apiUrl ? { baseUrl: options.apiUrl.replace(/\/+$/, "") } : {}),
        userAgent: "switchyard-dispatch",
        log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      })
    : null;

  return async (target, message) => {
    if (!client) return failedOutcome("GITHUB_DISPATCH_TOKEN is not configured", { permanent: true });
    if (!target.dispatch) return failedOutcome("the subscription has no dispatch target", { permanent: true });
    const req = dispatchRequest(target.dispatch, message);
    if (req.payloadBytes >= MAX_PAYLOAD_BYTES)
      return failedOutcome(
        `the message is ${req.payloadBytes} bytes; GitHub takes a dispatch payload under ${MAX_PAYLOAD_BYTES}`,
        { permanent: true },
      );
    try {
      const res = await client.request(req.route, {
        ...req.params,
        request: { signal: AbortSignal.timeout(timeoutMs), redirect: "error" },
      });
      return { ok: true, statusCode: res.status, response: `dispatched: ${req.label}` };
    } catch (err) {
      return dispatchFailure(err, req.label);
    }
  };
}
