import { healthChange, type HealthChange, type HealthReport, type SubscriptionHealth } from "./health.js";

/**
 * A subscription's circuit breaker (issue 18): after `failures` consecutive failed attempts (of any
 * of its messages) it opens until the last one plus the cooldown, and the worker puts its attempts
 * aside meanwhile (no attempt spent). Past that time it is half-open: one attempt, the probe, goes;
 * a success closes it, a failure opens it again for another cooldown. Pure: the store applies it,
 * in the transaction that records the attempts.
 */

export interface BreakerState {
  breakerFailures: number;
  /** Null: closed. In the past: half-open (a probe may go). */
  breakerOpenUntil: Date | null;
}

export interface BreakerLimits {
  /** OUTBOUND_BREAKER_FAILURES; 0 turns the breaker off. */
  failures: number;
  /** OUTBOUND_BREAKER_COOLDOWN_S in ms. */
  cooldownMs: number;
}

/** The breaker after a batch of attempts, or null when nothing changes (the common case: no write). */
export function breakerChange(row: BreakerState, report: HealthReport, limits: BreakerLimits): BreakerState | null {
  const failures = (report.ok ? 0 : row.breakerFailures) + report.failuresSinceSuccess;
  let openUntil = row.breakerOpenUntil;
  if (limits.failures > 0 && failures >= limits.failures && report.failuresSinceSuccess > 0 && report.lastFailureAt)
    openUntil = new Date(report.lastFailureAt.getTime() + limits.cooldownMs);
  else if (report.ok) openUntil = null;
  if (failures === row.breakerFailures && openUntil?.getTime() === row.breakerOpenUntil?.getTime()) return null;
  return { breakerFailures: failures, breakerOpenUntil: openUntil };
}

/**
 * How long an attempt waits for the breaker: 0 when closed, the time left while open, or "probe"
 * once the cooldown is over (half-open: the caller claims the one probe).
 */
export function breakerWait(openUntil: Date | null, now: number): number | "probe" {
  if (!openUntil) return 0;
  const left = openUntil.getTime() - now;
  return left > 0 ? left : "probe";
}

/** A subscription's health and breaker after a batch (health.ts, above), or null when neither changes. */
export function subscriptionChange(
  row: SubscriptionHealth & BreakerState,
  report: HealthReport,
  disableAfterMs: number,
  limits: BreakerLimits,
): (HealthChange & BreakerState) | null {
  const health = healthChange(row, report, disableAfterMs);
  const breaker = breakerChange(row, report, limits);
  if (!health && !breaker) return null;
  return {
    ...(health ?? { failingSince: row.failingSince }),
    ...(breaker ?? { breakerFailures: row.breakerFailures, breakerOpenUntil: row.breakerOpenUntil }),
  };
}
