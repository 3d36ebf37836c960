/**
 * Whether reads may go to the read replica (docs/read-replicas.md), without I/O: replica.ts polls
 * the replica and asks here. Stale reads are bounded by READ_MAX_LAG_MS; past it, or while the
 * replica cannot answer, reads go to the primary.
 */

/** One poll of the replica: what the lag query returned, or that it could not run. */
export type ReplicaSample =
  | { reachable: false }
  /** `lagMs` null: nothing replayed yet while WAL waits, so the lag is unknown. */
  | { reachable: true; inRecovery: boolean; lagMs: number | null };

/** Why reads go to the primary: the replica is behind, or it cannot serve as a replica. */
export type FallbackReason = "lagging" | "unavailable";

export interface ReplicaState {
  /** Reads go to the replica. */
  fresh: boolean;
  /** When not fresh, why. */
  reason: FallbackReason | null;
  /** The last lag measured, in seconds (null: unknown, or the replica is away). */
  lagSeconds: number | null;
}

/** Until the first poll answers, reads go to the primary: a replica not yet known fresh is not trusted. */
export const UNKNOWN: ReplicaState = { fresh: false, reason: "unavailable", lagSeconds: null };

/**
 * The state after a poll. A server that is not in recovery is no replica (promoted, or the URL names
 * a primary): its data may have forked from the primary's, so it is not read. A lag of exactly
 * `maxLagMs` is still fresh.
 */
export function judge(sample: ReplicaSample, maxLagMs: number): ReplicaState {
  if (!sample.reachable || !sample.inRecovery) return UNKNOWN;
  if (sample.lagMs === null) return { fresh: false, reason: "lagging", lagSeconds: null };
  const lagSeconds = Math.max(0, sample.lagMs) / 1000;
  return sample.lagMs <= maxLagMs
    ? { fresh: true, reason: null, lagSeconds }
    : { fresh: false, reason: "lagging", lagSeconds };
}

/**
 * Errors of a read on the replica that the primary may not share, so the read is run there instead:
 * any error not from the server (no connection, a broken socket, a timeout), and of the server's
 * (pg's DatabaseError carries a `severity`) a connection exception (class 08), a shutdown or restart
 * (57P01–57P03), or a statement recovery cancelled (40001, conflict with recovery). A statement the
 * primary would refuse too (a syntax error, a bad cast) is not retried.
 */
export function replicaFailure(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  if (typeof e?.severity !== "string" || typeof e.code !== "string") return true;
  return e.code.startsWith("08") || /^57P0[1-3]$/.test(e.code) || e.code === "40001";
}
