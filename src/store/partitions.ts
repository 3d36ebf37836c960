import type pg from "pg";
import {
  bounds,
  dayOfPartition,
  daysAhead,
  expiredDays,
  PARTITIONED,
  partitionName,
  type PartitionedTable,
  type Retention,
} from "./partition-days.js";

/**
 * The partitioned history's DDL (docs/partitions.md): days made ahead, and retention's drops of whole days,
 * on one connection. Never touches the graph's tables. Every DDL waits at most LOCK_WAIT for its table: the
 * hot path's statements queue behind a waiting DDL's lock, so a busy table is tried again on the next run.
 */

type Db = Pick<pg.ClientBase, "query">;

const LOCK_WAIT = "2s";
/** Terminal outbound messages deleted per statement (their attempts cascade). */
const MESSAGE_BATCH = 1000;

const quote = (ident: string) => `"${ident.replaceAll('"', '""')}"`;

/** Runs `statements` in one transaction that waits LOCK_WAIT at most for a lock. */
async function ddl(db: Db, statements: Array<[string, unknown[]?]>): Promise<void> {
  await db.query("BEGIN");
  try {
    await db.query(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`);
    for (const [text, values] of statements) await db.query(text, values);
    await db.query("COMMIT");
  } catch (err) {
    await db.query("ROLLBACK");
    throw err;
  }
}

/** The day partitions of every partitioned table (DEFAULT and partitions not named by day left out). */
export async function listPartitions(db: Db): Promise<Map<string, Date[]>> {
  const { rows } = await db.query<{ parent: string; child: string }>(
    `SELECT p.relname AS parent, c.relname AS child
     FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_class c ON c.oid = i.inhrelid
     WHERE p.relkind = 'p' AND p.relnamespace = current_schema()::regnamespace AND p.relname = ANY($1)`,
    [PARTITIONED.map((t) => t.name)],
  );
  const days = new Map<string, Date[]>(PARTITIONED.map((t) => [t.name, []]));
  for (const { parent, child } of rows) {
    const day = dayOfPartition(parent, child);
    if (day) days.get(parent)!.push(day);
  }
  for (const list of days.values()) list.sort((a, b) => a.getTime() - b.getTime());
  return days;
}

export interface MadeAhead {
  created: string[];
  /** Days whose rows already sit in the DEFAULT partition: left there (docs/partitions.md "Limits"). */
  skipped: string[];
}

/** Makes the partitions of today and the `premakeDays` after it that are missing, for every table. */
export async function createAhead(db: Db, now: Date, premakeDays: number): Promise<MadeAhead> {
  const existing = await listPartitions(db);
  const made: MadeAhead = { created: [], skipped: [] };
  for (const table of PARTITIONED) {
    const have = new Set(existing.get(table.name)!.map((d) => d.getTime()));
    for (const day of daysAhead(now, premakeDays)) {
      if (have.has(day.getTime())) continue;
      const name = partitionName(table.name, day);
      const { from, to } = bounds(table.key, day);
      try {
        await ddl(db, [
          [
            `CREATE TABLE IF NOT EXISTS ${quote(name)} PARTITION OF ${quote(table.name)}
             FOR VALUES FROM ('${from}') TO ('${to}')`,
          ],
        ]);
        made.created.push(name);
      } catch (err) {
        // 23514: the DEFAULT partition holds rows of that day, which a new partition would have to take.
        if ((err as { code?: string }).code !== "23514") throw err;
        made.skipped.push(name);
      }
    }
  }
  return made;
}

/** The outbox partition holding the last relayed row: kept, so the relay numbers on from it (never from 1). */
async function lastRelayedPartition(db: Db): Promise<string | null> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM outbox o JOIN pg_class c ON c.oid = o.tableoid
     WHERE o.position = (SELECT max(position) FROM outbox) LIMIT 1`,
  );
  return rows[0]?.name ?? null;
}

/** Detaches and drops one day's partition; a raw_deliveries day takes its delivery keys with it. */
async function dropDay(db: Db, table: PartitionedTable, day: Date): Promise<void> {
  const name = partitionName(table.name, day);
  const { from, to } = bounds(table.key, day);
  await ddl(db, [
    ...(table.name === "raw_deliveries"
      ? [[`DELETE FROM delivery_keys WHERE id >= $1::uuid AND id < $2::uuid`, [from, to]] as [string, unknown[]]]
      : []),
    [`ALTER TABLE ${quote(table.name)} DETACH PARTITION ${quote(name)}`],
    [`DROP TABLE ${quote(name)}`],
  ]);
}

/** Deletes outbound messages done with (succeeded, dead) untouched since `cutoff`, in batches; returns how many. */
async function deleteFinishedMessages(db: Db, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM outbound_messages WHERE id IN (
         SELECT id FROM outbound_messages WHERE status IN ('succeeded', 'dead') AND updated_at < $1 LIMIT $2)`,
      [cutoff, MESSAGE_BATCH],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < MESSAGE_BATCH) return total;
  }
}

export interface Dropped {
  dropped: string[];
  /** Partitions that could not go this time, with why. */
  failed: string[];
  messagesDeleted: number;
}

/**
 * Retention: drops every day partition wholly older than its table's setting (0: kept for ever), in
 * PARTITIONED's order, then deletes finished outbound messages older than RETENTION_DAYS_OUTBOUND. DEFAULT
 * partitions, delivery keys of days kept, outbox_facts and the graph's tables are never touched.
 */
export async function applyRetention(db: Db, now: Date, retention: Retention): Promise<Dropped> {
  const existing = await listPartitions(db);
  const keep = retention.outbound > 0 ? await lastRelayedPartition(db) : null;
  const result: Dropped = { dropped: [], failed: [], messagesDeleted: 0 };
  for (const table of PARTITIONED) {
    for (const day of expiredDays(existing.get(table.name)!, now, retention[table.group])) {
      const name = partitionName(table.name, day);
      if (name === keep) continue;
      try {
        await dropDay(db, table, day);
        result.dropped.push(name);
      } catch (err) {
        // A busy table (its lock not had within LOCK_WAIT): tried again on the next run.
        result.failed.push(`${name}: ${(err as Error).message}`);
      }
    }
  }
  if (retention.outbound > 0) {
    result.messagesDeleted = await deleteFinishedMessages(
      db,
      new Date(now.getTime() - retention.outbound * 86_400_000),
    );
  }
  return result;
}

/**
 * Runs `fn` if no other process of this schema is maintaining (a session advisory lock on `db`'s
 * connection); returns null when another holds it.
 */
export async function whileMaintaining<T>(db: Db, fn: () => Promise<T>): Promise<T | null> {
  const key = `hashtext('switchyard maintenance ' || current_schema())`;
  const { rows } = await db.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${key}) AS locked`);
  if (!rows[0]!.locked) return null;
  try {
    return await fn();
  } finally {
    await db.query(`SELECT pg_advisory_unlock(${key})`);
  }
}
