import type { DigestPeriod } from "../../shared/outbound.js";

/**
 * Digest periods (docs/outbound.md "Slack digests"): UTC hours and UTC days, as `[start, end)`.
 * Pure: the scheduler asks which periods are due at its clock's time.
 */

export interface Period {
  period: DigestPeriod;
  start: Date;
  end: Date;
}

const LENGTH_MS: Record<DigestPeriod, number> = { hourly: 3_600_000, daily: 86_400_000 };

/** Missed periods posted after downtime, at most: a day of hours, a week of days. */
export const CATCH_UP: Record<DigestPeriod, number> = { hourly: 24, daily: 7 };

/** The start of the period `t` falls in (UTC has no daylight saving: a day is always 24 hours). */
export function periodStart(t: Date, period: DigestPeriod): Date {
  const len = LENGTH_MS[period];
  return new Date(Math.floor(t.getTime() / len) * len);
}

/**
 * The periods due at `now`, oldest first: those that ended at least `delayMs` ago (rows stored late
 * still count in theirs), at most `max` of them back, and only those that ended after `since` (the
 * subscription's last change: a new or edited digest starts with the period it is in, not with a
 * backlog of summaries).
 */
export function duePeriods(now: Date, period: DigestPeriod, delayMs: number, since: Date, max: number): Period[] {
  const len = LENGTH_MS[period];
  const lastEnd = periodStart(new Date(now.getTime() - delayMs), period).getTime();
  const due: Period[] = [];
  for (let k = max - 1; k >= 0; k--) {
    const end = lastEnd - k * len;
    if (end > since.getTime()) due.push({ period, start: new Date(end - len), end: new Date(end) });
  }
  return due;
}
