/** Durations written with a unit (`5s`, `250ms`, `2h`), as OUTBOUND_RETRY_SCHEDULE lists them (contract §9). */

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
