import { firstDate } from "../../shared/time.js";

/** How far before its receipt Sentry's send time is believed (queueing, retries) … */
const BEFORE_MS = 5 * 60_000;
/** … and after it (clock skew). */
const AFTER_MS = 60_000;

/**
 * When Sentry sent a delivery: its `Sentry-Hook-Timestamp` header, if it lies near the receipt, else the
 * receipt. The header is not signed, so a body posted again with a far-future time would otherwise pin
 * the incident's status (the latest `at` wins); a stale one would sort a new event before older ones.
 */
export function sentryHookTime(header: string | undefined, receivedAt: string): Date {
  const received = new Date(receivedAt);
  const told = firstDate(received, header);
  const lead = told.getTime() - received.getTime();
  return lead >= -BEFORE_MS && lead <= AFTER_MS ? told : received;
}
