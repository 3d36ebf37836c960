/**
 * The partitioned history's days (docs/partitions.md), pure: which tables are partitioned and how, a day's
 * partition name and bounds, the days to make ahead and the days retention drops. partitions.ts runs the SQL.
 */

export const DAY_MS = 86_400_000;

/** `id`: a UUIDv7 (its first 48 bits are Unix ms); `time`: a timestamptz column. */
export type KeyKind = "id" | "time";

/** Which retention setting drops a table's partitions (RETENTION_DAYS_RAW, …_EVENTS, …_OUTBOUND). */
export type RetentionGroup = "raw" | "events" | "outbound";

export interface PartitionedTable {
  name: string;
  key: KeyKind;
  group: RetentionGroup;
}

/**
 * Every partitioned table, in the order their day's partitions are dropped: a table before the table its
 * rows belong to (platform rows → events → raw_deliveries), so no row is ever left without its parent.
 */
export const PARTITIONED: readonly PartitionedTable[] = [
  ...[
    "github_events",
    "gitlab_events",
    "slack_events",
    "linear_events",
    "deployments",
    "incident_events",
    "events",
  ].map((name) => ({ name, key: "id" as const, group: "events" as const })),
  { name: "raw_deliveries", key: "id", group: "raw" },
  { name: "outbox", key: "id", group: "outbound" },
  { name: "outbound_attempts", key: "time", group: "outbound" },
];

/** The UTC midnight starting `at`'s day. */
export const dayOf = (at: Date): Date => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);

const yyyymmdd = (day: Date) => day.toISOString().slice(0, 10).replaceAll("-", "");

/** `events_p20261208`: the partition of `table` holding `day`. */
export const partitionName = (table: string, day: Date): string => `${table}_p${yyyymmdd(day)}`;

/** The table a day partition's name belongs to. */
export const tableOfPartition = (name: string): string => name.replace(/_p\d{8}$/, "");

/** The DEFAULT partition of `table`: what no day holds; never dropped. */
export const defaultPartition = (table: string): string => `${table}_default`;

/** The day a partition's name stands for, or null for the DEFAULT one or a name not made here. */
export function dayOfPartition(table: string, name: string): Date | null {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  if (!m) return null;
  const day = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  return Number.isNaN(day.getTime()) ? null : day;
}

/** The smallest UUIDv7 of the millisecond `at`: its 48-bit time, then zeros. */
export function uuid7Floor(at: Date): string {
  const hex = at.getTime().toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** A day's partition bounds as SQL literals: [from, to). */
export function bounds(key: KeyKind, day: Date): { from: string; to: string } {
  const next = new Date(day.getTime() + DAY_MS);
  return key === "id"
    ? { from: uuid7Floor(day), to: uuid7Floor(next) }
    : { from: day.toISOString(), to: next.toISOString() };
}

/** Today and the `premake` days after it: the partitions to exist now. */
export function daysAhead(now: Date, premake: number): Date[] {
  const today = dayOf(now).getTime();
  return Array.from({ length: premake + 1 }, (_, i) => new Date(today + i * DAY_MS));
}

/**
 * The days among `days` wholly older than `retentionDays` before `now` (a partition is dropped whole, never
 * in part: a day ending after the cutoff is kept). 0 keeps every day.
 */
export function expiredDays(days: readonly Date[], now: Date, retentionDays: number): Date[] {
  if (retentionDays <= 0) return [];
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  return days.filter((d) => d.getTime() + DAY_MS <= cutoff);
}

export interface Retention {
  raw: number;
  events: number;
  outbound: number;
}
