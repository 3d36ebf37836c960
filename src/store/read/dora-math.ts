import { compileGlobIgnoreCase } from "../../shared/glob.js";
import type { BUCKETS } from "../../api/schemas/deploys.js";

/**
 * DORA's five metrics from the facts the database gave (dora.ts beside it reads them). Pure, so the
 * definitions (docs/dora.md) are tested on their own.
 */

export interface DoraDeploy {
  key: string;
  repository: string;
  environment: string;
  status: string;
  finishedAt: Date;
}

export interface DoraFacts {
  since: Date;
  until: Date;
  /**
   * Finished attempts from `since` to well after `until` (a failure late in the window may be
   * restored after it), ordered by finish time.
   */
  deploys: DoraDeploy[];
  /** Each change a deploy of the window shipped, with when work on it started (first commit or PR creation). */
  changes: Array<{ deploy: string; startedAt: Date | null }>;
  /** A successful deploy that was rolled back or whose PR was reverted, and the deploy that restored service. */
  restorations: Array<{ failed: string; restoredBy: string }>;
  /** A deploy that is an incident's top suspect, and when the incident was resolved (null: not yet). */
  incidentFailures: Array<{ deploy: string; incident: string; resolvedAt: Date | null }>;
  /** Deploys that are rework: a rollback, or shipping a revert or the fix of an incident or bug. */
  reworks: string[];
}

/** Linear interpolation between closest ranks (PostgreSQL's percentile_cont). */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const seconds = (a: Date, b: Date) => (a.getTime() - b.getTime()) / 1000;
const ascending = (a: number, b: number) => a - b;

/** The five metrics over [since, until). */
export function doraFigures(f: DoraFacts) {
  const inWindow = f.deploys.filter((d) => d.finishedAt >= f.since && d.finishedAt < f.until);
  const counted = new Set(inWindow.map((d) => d.key));
  const succeeded = inWindow.filter((d) => d.status === "succeeded");
  const finished = new Map(f.deploys.map((d) => [d.key, d.finishedAt]));
  // Lead time per change, from its start to the deploy's finish; negative values are dropped.
  const leadTimes = f.changes
    .filter((c) => c.startedAt && counted.has(c.deploy))
    .map((c) => seconds(finished.get(c.deploy)!, c.startedAt!))
    .filter((s) => s >= 0)
    .sort(ascending);

  // failed deploy → when service was restored (the earliest known), or null
  const failures = new Map<string, Date | null>();
  const restore = (failed: string, at: Date | null) => {
    const current = failures.get(failed);
    if (current === undefined || (at && (!current || at < current))) failures.set(failed, at);
  };
  const finishOf = (key: string | undefined) => (key ? (finished.get(key) ?? null) : null);
  // A failed attempt is restored by the next success of its environment. The deploys come ordered
  // by finish time, so each environment's list is walked from the failure on, not from its start.
  const byEnvironment = new Map<string, DoraDeploy[]>();
  const position = new Map<DoraDeploy, number>();
  for (const d of f.deploys) {
    const stream = `${d.repository}\u0000${d.environment}`;
    let list = byEnvironment.get(stream);
    if (!list) byEnvironment.set(stream, (list = []));
    position.set(d, list.length);
    list.push(d);
  }
  for (const d of inWindow.filter((x) => x.status === "failed")) {
    const list = byEnvironment.get(`${d.repository}\u0000${d.environment}`)!;
    let next: DoraDeploy | undefined;
    for (let i = position.get(d)! + 1; i < list.length && !next; i++)
      if (list[i]!.status === "succeeded" && list[i]!.finishedAt > d.finishedAt) next = list[i];
    restore(d.key, finishOf(next?.key));
  }
  for (const r of f.restorations) if (counted.has(r.failed)) restore(r.failed, finishOf(r.restoredBy));
  // An incident's top suspect failed too; service is restored when the incident is resolved, or
  // by the deploy that restored it (above), whichever came first.
  const incidents = new Map<string, string[]>();
  for (const i of f.incidentFailures) {
    if (!counted.has(i.deploy)) continue;
    incidents.set(i.deploy, [...(incidents.get(i.deploy) ?? []), i.incident]);
    const resolved = i.resolvedAt && i.resolvedAt >= finished.get(i.deploy)! ? i.resolvedAt : null;
    restore(i.deploy, resolved);
  }
  const restoreTimes = [...failures]
    .filter(([, at]) => at)
    .map(([failed, at]) => seconds(at!, finished.get(failed)!))
    .sort(ascending);
  const reworks = new Set(f.reworks);
  const reworked = succeeded.filter((d) => reworks.has(d.key));
  const days = seconds(f.until, f.since) / 86_400;
  return {
    deploymentFrequency: { deploys: succeeded.length, perDay: succeeded.length / days },
    leadTimeForChanges: {
      changes: leadTimes.length,
      medianSeconds: percentile(leadTimes, 0.5),
      p90Seconds: percentile(leadTimes, 0.9),
    },
    changeFailureRate: {
      deployments: inWindow.length,
      failures: failures.size,
      rate: inWindow.length ? failures.size / inWindow.length : null,
    },
    timeToRestore: { restored: restoreTimes.length, medianSeconds: percentile(restoreTimes, 0.5) },
    deploymentReworkRate: {
      deployments: succeeded.length,
      reworks: reworked.length,
      rate: succeeded.length ? reworked.length / succeeded.length : null,
    },
    deploys: inWindow.map((d) => ({
      key: d.key,
      repository: d.repository,
      environment: d.environment,
      status: d.status,
      finishedAt: d.finishedAt,
      failure: failures.has(d.key),
      rework: reworks.has(d.key) && d.status === "succeeded",
      incidents: incidents.get(d.key) ?? [],
    })),
  };
}

export type Bucket = (typeof BUCKETS)[number];

/** The start of the UTC day, ISO week (Monday) or month holding `t`. */
export function bucketStart(t: Date, bucket: Bucket): Date {
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), bucket === "month" ? 1 : t.getUTCDate()));
  if (bucket === "week") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d;
}

function nextBucket(t: Date, bucket: Bucket): Date {
  const d = new Date(t);
  if (bucket === "day") d.setUTCDate(d.getUTCDate() + 1);
  else if (bucket === "week") d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + 1);
  return d;
}

/** The five metrics per bucket of the window (contract §6 `bucket`), for trend charts; at most `max` buckets. */
export function doraSeries(f: DoraFacts, bucket: Bucket, max = 400) {
  const series = [];
  for (
    let start = bucketStart(f.since, bucket);
    start < f.until && series.length < max;
    start = nextBucket(start, bucket)
  ) {
    const from = start < f.since ? f.since : start;
    const end = nextBucket(start, bucket);
    const to = end > f.until ? f.until : end;
    const { deploys: _list, ...figures } = doraFigures({ ...f, since: from, until: to });
    series.push({ start: from, end: to, ...figures });
  }
  return series;
}

/** Whether an environment name matches one of the globs (`prod*`), case-insensitive (contract §6). */
export function matchesEnvironment(name: string, globs: string[]): boolean {
  return environmentMatcher(globs)(name);
}

/** The same test with the globs compiled once, for many names. */
export function environmentMatcher(globs: string[]): (name: string) => boolean {
  const compiled = globs.map(compileGlobIgnoreCase);
  return (name) => compiled.some((matches) => matches(name));
}
