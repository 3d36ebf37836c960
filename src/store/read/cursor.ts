import { storableDate } from "../../shared/time.js";

/** Opaque keyset cursor over (occurred_at, id), newest first. */
export interface Cursor {
  occurredAt: Date;
  id: string;
}

export const encodeCursor = (c: Cursor) =>
  Buffer.from(JSON.stringify([c.occurredAt.toISOString(), c.id])).toString("base64url");

/**
 * A keyset page from rows read with `limit + 1`: the first `limit`, and `next` naming the last of
 * them when the extra row shows there is more.
 */
export function pageOf<T, N>(rows: T[], limit: number, nextOf: (last: T) => N): { items: T[]; next: N | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? nextOf(last) : null };
}

const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The cursor encodeCursor made, or null for anything else. A client can send any bytes, and what
 * decodes here goes into SQL: only `[ISO time in years 1–9999, UUID]` passes (a year-0 time or a
 * `----` id would make PostgreSQL fail the query).
 */
export function decodeCursor(s: string): Cursor | null {
  if (!BASE64URL.test(s)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [t, id] = value as unknown[];
  if (typeof t !== "string" || !ISO.test(t) || typeof id !== "string" || !UUID.test(id)) return null;
  const occurredAt = storableDate(t);
  return occurredAt ? { occurredAt, id } : null;
}
