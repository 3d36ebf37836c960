/** One attempt from GitHub's "list deliveries" endpoints; a redelivery keeps the `guid` (X-GitHub-Delivery). */
export interface DeliveryAttempt {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status_code: number;
  status?: string;
  event?: string;
  action?: string | null;
}

export type SkipReason = "succeeded" | "stored" | "pending" | "expired" | "before-since";

export interface Plan<D extends DeliveryAttempt = DeliveryAttempt> {
  /** GUIDs with at least one failed attempt: redeliver.length + skipped.length. */
  failed: number;
  /** Failed GUIDs Switchyard has stored anyway (e.g. GitHub timed out after we stored it). */
  stored: number;
  /** The latest attempt of each GUID to redeliver: GitHub only redelivers an attempt within its window. */
  redeliver: D[];
  skipped: { guid: string; reason: SkipReason }[];
}

export interface PlanOptions {
  now: Date;
  since?: Date;
  /** How far back to look; capped at GitHub's 3 days minus `marginMs`. */
  windowMs?: number;
  /** A redelivery this recent may still be in flight, or just failed: wait, to avoid storms. */
  pendingMs?: number;
  marginMs?: number;
}

export const GITHUB_WINDOW_MS = 3 * 24 * 3600_000;
const DEFAULT_MARGIN_MS = 3600_000;
const DEFAULT_PENDING_MS = 10 * 60_000;

const isSuccess = (a: DeliveryAttempt): boolean => a.status_code >= 200 && a.status_code < 300;

/** GUIDs with no successful attempt: the ones worth asking Switchyard's store about. */
export function unsucceededGuids(deliveries: DeliveryAttempt[]): string[] {
  const ok = new Set(deliveries.filter(isSuccess).map((a) => a.guid));
  return [...new Set(deliveries.filter((a) => !ok.has(a.guid)).map((a) => a.guid))];
}

/** Picks, once per GUID, the failed deliveries to redeliver. Pure: no I/O, no clock. */
export function planRedeliveries<D extends DeliveryAttempt>(
  deliveries: D[],
  stored: Set<string>,
  o: PlanOptions,
): Plan<D> {
  const now = o.now.getTime();
  const margin = o.marginMs ?? DEFAULT_MARGIN_MS;
  const window = Math.min(o.windowMs ?? GITHUB_WINDOW_MS, GITHUB_WINDOW_MS - margin);
  const pending = o.pendingMs ?? DEFAULT_PENDING_MS;
  const byGuid = new Map<string, D[]>();
  for (const a of deliveries) byGuid.set(a.guid, [...(byGuid.get(a.guid) ?? []), a]);

  const plan: Plan<D> = { failed: 0, stored: 0, redeliver: [], skipped: [] };
  for (const [guid, attempts] of byGuid) {
    if (attempts.every(isSuccess)) continue;
    plan.failed++;
    const at = (a: D) => Date.parse(a.delivered_at);
    const sorted = attempts.toSorted((a, b) => at(a) - at(b));
    const first = sorted[0]!;
    const latest = sorted.at(-1)!;
    let reason: SkipReason | undefined;
    if (attempts.some(isSuccess)) reason = "succeeded";
    else if (stored.has(guid)) reason = "stored";
    else if (attempts.some((a) => a.redelivery && now - at(a) < pending)) reason = "pending";
    else if (now - at(latest) > window) reason = "expired";
    else if (o.since && at(first) <= o.since.getTime()) reason = "before-since";
    if (reason === "stored") plan.stored++;
    if (reason) plan.skipped.push({ guid, reason });
    else plan.redeliver.push(latest);
  }
  return plan;
}
