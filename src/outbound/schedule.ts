/**
 * When a failed message is tried again (contract §9): the retry schedule, its jitter, and `Retry-After`.
 * Pure: no clock but the one passed in, no randomness but the one passed in.
 */

import type { SendOutcome } from "../shared/outbound.js";
import type { AttemptRecord } from "../store/outbound-messages.js";

/** ±20 %: retries of the many messages one outage failed do not all arrive together. */
export function jitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.8 + 0.4 * random()));
}

/**
 * The delay before the attempt after attempt `attempt` (1 = the first) failed, or null when that
 * was the last one (the message is then dead). The first attempt is immediate, so a schedule of
 * n delays allows n + 1 attempts.
 */
export function retryDelay(
  schedule: readonly number[],
  attempt: number,
  random: () => number = Math.random,
): number | null {
  const step = schedule[attempt - 1];
  return step === undefined ? null : jitter(step, random);
}

/**
 * `Retry-After` (RFC 9110: delay-seconds or an HTTP date) in milliseconds from `now`, or null when
 * absent or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text), 1e9) * 1000;
  // An HTTP date names its weekday; anything else Date.parse reads ("1.5", "2026") is not one.
  if (!/^[A-Za-z]{3},/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * A `Retry-After` beyond this is taken as this: at most as long as the schedule's longest step,
 * and never under a minute.
 */
export const retryAfterCap = (schedule: readonly number[]) => Math.max(60_000, ...schedule);

/**
 * The delay actually waited: the schedule's, unless the destination asked for longer (429, 503),
 * in which case its wish up to `retryAfterCap`.
 */
export function nextDelay(scheduled: number, retryAfterMs: number | undefined, schedule: readonly number[]): number {
  if (retryAfterMs === undefined) return scheduled;
  return Math.max(scheduled, Math.min(retryAfterMs, retryAfterCap(schedule)));
}

/** The message's state after an attempt, and the delay before the next one if there is one. */
export function afterAttempt(
  outcome: SendOutcome,
  attempt: number,
  schedule: readonly number[],
  random: () => number,
): { status: AttemptRecord["status"]; delayMs: number | null } {
  if (outcome.ok) return { status: "succeeded", delayMs: null };
  if (outcome.permanent || outcome.gone) return { status: "dead", delayMs: null };
  const scheduled = retryDelay(schedule, attempt, random);
  if (scheduled === null) return { status: "dead", delayMs: null };
  return { status: "failed", delayMs: nextDelay(scheduled, outcome.retryAfterMs, schedule) };
}
