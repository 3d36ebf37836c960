/**
 * A subscription's health from its attempts (contract §9): `failingSince` marks when every attempt
 * started failing and a success clears it; a 410 Gone, or failing for longer than
 * OUTBOUND_DISABLE_AFTER_S, disables the subscription with the reason. Pure: the store applies it.
 */

/** What a batch of attempts says about one subscription. */
export interface HealthReport {
  /** Some attempt succeeded. */
  ok: boolean;
  /** Some attempt was answered 410 Gone: when. */
  goneAt: Date | null;
  /** The batch's earliest and latest failed attempts. */
  firstFailureAt: Date | null;
  lastFailureAt: Date | null;
  /** Failed attempts after the batch's last success (all of them when none succeeded): the circuit breaker's count. */
  failuresSinceSuccess: number;
}

export interface SubscriptionHealth {
  enabled: boolean;
  failingSince: Date | null;
}

export interface HealthChange {
  failingSince: Date | null;
  /** Set when this change disables the subscription. */
  disabledReason?: string;
}

/** One subscription's attempt in a batch. */
export interface AttemptSummary {
  subscriptionId: string;
  ok: boolean;
  gone: boolean;
  at: Date;
}

/** The batch's attempts, per subscription. */
export function summarize(attempts: readonly AttemptSummary[]): Map<string, HealthReport> {
  const out = new Map<string, HealthReport>();
  // In the order they were made, so the failures after the last success are counted.
  const ordered = [...attempts].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const a of ordered) {
    const r = out.get(a.subscriptionId) ?? {
      ok: false,
      goneAt: null,
      firstFailureAt: null,
      lastFailureAt: null,
      failuresSinceSuccess: 0,
    };
    if (a.ok) {
      r.ok = true;
      r.failuresSinceSuccess = 0;
    } else {
      r.failuresSinceSuccess++;
      if (!r.firstFailureAt || a.at < r.firstFailureAt) r.firstFailureAt = a.at;
      if (!r.lastFailureAt || a.at > r.lastFailureAt) r.lastFailureAt = a.at;
      if (a.gone && !r.goneAt) r.goneAt = a.at;
    }
    out.set(a.subscriptionId, r);
  }
  return out;
}

/** What changes on the subscription, or null when nothing does (the common case: no write). */
export function healthChange(
  row: SubscriptionHealth,
  report: HealthReport,
  disableAfterMs: number,
): HealthChange | null {
  const failingSince = report.ok ? null : (row.failingSince ?? report.firstFailureAt);
  let disabledReason: string | undefined;
  if (row.enabled && report.goneAt) {
    disabledReason = `the endpoint answered 410 Gone at ${report.goneAt.toISOString()}`;
  } else if (row.enabled && failingSince && report.lastFailureAt) {
    if (report.lastFailureAt.getTime() - failingSince.getTime() >= disableAfterMs) {
      const span = `from ${failingSince.toISOString()} to ${report.lastFailureAt.toISOString()}`;
      const limit = `OUTBOUND_DISABLE_AFTER_S (${Math.round(disableAfterMs / 1000)} s)`;
      disabledReason = `every attempt failed ${span}, longer than ${limit}`;
    }
  }
  const same = (failingSince?.getTime() ?? null) === (row.failingSince?.getTime() ?? null);
  if (same && !disabledReason) return null;
  return disabledReason ? { failingSince, disabledReason } : { failingSince };
}
