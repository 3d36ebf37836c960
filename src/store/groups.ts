import type pg from "pg";
import { onConnection } from "./sql.js";

/** Temporary: replaced by the groups store. */
export async function scopeOf(pool: pg.Pool, s: { group: string }) {
  const rows = await onConnection(
    pool,
    (sql) =>
      sql.query<Array<{ repositories: string[]; services: string[] }>>`
      SELECT repositories, services FROM groups WHERE name = ${s.group}`,
  );
  return rows[0] ?? null;
}
