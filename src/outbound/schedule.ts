import { ConfigError } from "../shared/config.js";

/**
 * When a failed message is tried again (SPEC §9): the retry schedule, its jitter, and `Retry-After`.
 * Pure: no clock but the one passed in, no randomness but the one passed in.
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;
/** A longer step is surely a typo (`5d` for `5s`): a message would sit a month between attempts. */
const MAX_STEP_MS = 7 * 86_400_000;
/** More retries than this is a runaway schedule rather than a policy. */
const MAX_STEPS = 50;

/** `5s`, `250ms`, `2h` in milliseconds, or null. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : null;
}

/**
 * `5s,5m,30m,2h,5h,10h,10h` as the delays before each retry, in milliseconds. Throws with a
 * message naming the first bad step; the caller names the variable.
 */
export function parseSchedule(text: string): number[] {
  const steps = text.split(",").map((s) => s.trim());
  if (steps.length === 1 && steps[0] === "") throw new Error("must list at least one delay, e.g. 5s,5m,30m");
  if (steps.length > MAX_STEPS) throw new Error(`at most ${MAX_STEPS} delays`);
  return steps.map((step, i) => {
    const ms = parseDuration(step);
    if (ms === null)
      throw new Error(`delay ${i + 1} (${JSON.stringify(step)}) must be a number with a unit: ms, s, m, h or d`);
    if (ms > MAX_STEP_MS) throw new Error(`delay ${i + 1} (${step}) is longer than 7 days`);
    return ms;
  });
}

/** OUTBOUND_RETRY_SCHEDULE read at start: a bad one stops the process with the variable named. */
export function scheduleFromConfig(text: string): number[] {
  try {
    return parseSchedule(text);
  } catch (err) {
    throw new ConfigError(`invalid configuration: OUTBOUND_RETRY_SCHEDULE: ${(err as Error).message}`);
  }
}

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

/** A `Retry-After` beyond this is taken as this: at most as long as the schedule's longest step, and never under a minute. */
export const retryAfterCap = (schedule: readonly number[]) => Math.max(60_000, ...schedule);

/**
 * The delay actually waited: the schedule's, unless the destination asked for longer (429, 503),
 * in which case its wish up to `retryAfterCap`.
 */
export function nextDelay(scheduled: number, retryAfterMs: number | undefined, schedule: readonly number[]): number {
  if (retryAfterMs === undefined) return scheduled;
  return Math.max(scheduled, Math.min(retryAfterMs, retryAfterCap(schedule)));
}
