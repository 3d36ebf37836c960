import type pg from "pg";
import { deadline } from "../shared/deadline.js";
import type { Database } from "./prisma.js";
import { judge, replicaFailure, UNKNOWN, type FallbackReason, type ReplicaState } from "./replica-state.js";

/**
 * Reads on a streaming replica (docs/read-replicas.md): a poll of its lag every second decides
 * (replica-state.ts) whether reads go there or to the primary. Writes never come here.
 */
export interface ReadRouting {
  /**
   * The pool reads are given: a pg.Pool whose `connect` hands out a replica connection while the
   * replica is fresh, else a primary one; a statement the replica fails (replicaFailure) runs again
   * on the primary. Everything else (`end`, counts) is the primary pool's.
   */
  pool: pg.Pool;
  /** Runs `fn` on the replica while it is fresh, else, or when it fails there, on the primary. */
  read<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  state(): ReplicaState;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  primary: Database;
  replica: Database;
  maxLagMs: number;
  /** Between polls; 1 s. */
  pollMs?: number;
  /** A read the replica would have served went to the primary. */
  onFallback?: (reason: FallbackReason) => void;
  onPollError?: (err: Error) => void;
  /** A poll answered (whatever the lag). */
  onPoll?: () => void;
}

/**
 * Lag 0 when all WAL received is replayed and the WAL receiver runs (an idle primary sends none, so
 * a quiet replica is not stale); else how old the last replayed transaction is: a replica whose
 * link to the primary broke has replayed all it received, but is not known current.
 * `lag_ms` null: nothing replayed yet.
 */
const LAG_SQL = `SELECT pg_is_in_recovery() AS recovery,
  CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0
       ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000 END::float8 AS lag_ms`;

/** Routing over an open replica; `close` stops the poll and closes the replica (not the primary). */
export function readReplica(o: ReplicaOptions): ReadRouting {
  const pollMs = o.pollMs ?? 1000;
  let state = UNKNOWN;
  let polling = false;

  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const { rows } = await deadline(
        o.replica.pool.query<{ recovery: boolean; lag_ms: number | null }>(LAG_SQL),
        pollMs,
        () => new Error("replica lag poll timed out"),
      );
      state = judge({ reachable: true, inRecovery: rows[0]!.recovery, lagMs: rows[0]!.lag_ms }, o.maxLagMs);
      o.onPoll?.();
    } catch (err) {
      state = judge({ reachable: false }, o.maxLagMs);
      o.onPollError?.(err as Error);
    } finally {
      polling = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), pollMs);
  timer.unref();

  /** Where a read goes now; a fallback is counted. */
  const pick = (): Database => {
    if (state.fresh) return o.replica;
    o.onFallback?.(state.reason ?? "unavailable");
    return o.primary;
  };
  /** The replica failed a read: the primary serves until a poll finds it fresh again. */
  const failed = () => {
    state = { ...UNKNOWN, lagSeconds: null };
    o.onFallback?.("unavailable");
  };

  const read = async <T>(fn: (db: Database) => Promise<T>): Promise<T> => {
    const db = pick();
    if (db === o.primary) return fn(db);
    try {
      return await fn(db);
    } catch (err) {
      if (!replicaFailure(err)) throw err;
      failed();
      return fn(o.primary);
    }
  };

  const connect = async (): Promise<pg.PoolClient> => {
    const db = pick();
    if (db === o.primary) return o.primary.pool.connect();
    let client: pg.PoolClient;
    try {
      client = await db.pool.connect();
    } catch (err) {
      if (!replicaFailure(err)) throw err;
      failed();
      return o.primary.pool.connect();
    }
    return failingOver(client, o.primary.pool, failed);
  };

  // Only `connect` and `query` differ from the primary pool: the read code (store/sql.ts) uses these.
  const pool = new Proxy(o.primary.pool, {
    get(target, prop, receiver) {
      if (prop === "connect") return connect;
      if (prop === "query")
        return (...args: unknown[]) => read((db) => (db.pool.query as (...a: unknown[]) => Promise<unknown>)(...args));
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });

  return {
    pool,
    read,
    state: () => state,
    async close() {
      clearInterval(timer);
      await o.replica.close();
    },
  };
}

/** Clients already wrapped: a pooled client comes back many times. */
const wrapped = new WeakSet<pg.PoolClient>();

/**
 * A replica client whose statements run again on a primary connection when the replica fails them.
 * The read code's statements are independent (no transaction: store/sql.ts onConnection), so one
 * statement moved to the primary reads what it would have read there. The failed client is
 * discarded by its `error` event, as any broken client (sql.ts withClient).
 */
function failingOver(client: pg.PoolClient, primary: pg.Pool, failed: () => void): pg.PoolClient {
  if (wrapped.has(client)) return client;
  wrapped.add(client);
  const query = client.query.bind(client) as (...a: unknown[]) => Promise<unknown>;
  const again = async (args: unknown[], err: unknown) => {
    if (!replicaFailure(err)) throw err;
    failed();
    const other = await primary.connect();
    try {
      return await (other.query as (...a: unknown[]) => Promise<unknown>)(...args);
    } finally {
      other.release();
    }
  };
  (client as { query: unknown }).query = (...args: unknown[]) => {
    // Callback forms are not the read code's; they go as they are.
    if (typeof args[args.length - 1] === "function") return query(...args);
    return query(...args).catch((err: unknown) => again(args, err));
  };
  return client;
}
