import { createHash } from "node:crypto";
import type pg from "pg";
import { Prisma } from "../generated/prisma/client.js";

/**
 * One transaction on a pg connection, written with Prisma's `sql` tagged templates.
 * The processors run their many small statements here rather than in `prisma.$transaction`,
 * where each raw statement costs 2.3–12× as much (bench/sql-overhead.ts); that overhead alone held
 * the pipeline near 140 events/s.
 */
export interface Sql {
  /** Rows of the result, typed as the caller says (like Prisma's `$queryRaw<T>`). */
  query<T = unknown[]>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T>;
  execute(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  /** Advisory-lock scopes this transaction holds, and how; they are released when it ends. */
  readonly locked: Map<string, "shared" | "exclusive">;
}

/**
 * Statements are prepared once per connection, under a name derived from their text: planning
 * cost more than executing for most of the processors' statements (0.9 ms against 0.1 ms for a
 * deploy's baseline lookup), and their texts are few and fixed.
 */
const statementNames = new Map<string, string>();
const nameOf = (text: string) => {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `sy_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`));
  return name;
};

/** U+0000 cannot be stored in PostgreSQL text or jsonb: it becomes U+FFFD, the rest stays as sent. */
const storable = (v: unknown): unknown =>
  typeof v === "string"
    ? v.includes("\0")
      ? v.replaceAll("\0", "\uFFFD")
      : v
    : Array.isArray(v)
      ? v.map(storable)
      : v;

/**
 * A value as a JSON document parameter. jsonb refuses what JSON.stringify can write: `\u0000`
 * and a lone surrogate (text cut inside an emoji); such strings are made well-formed (U+FFFD), so
 * a delivery is never refused for its text. The second, slower pass runs only when a regex
 * scan of the first finds such an escape.
 */
export function jsonParam(value: unknown): string {
  const json = JSON.stringify(value);
  if (!/\\u(?:0000|d[89a-f])/i.test(json)) return json;
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "string" ? (storable(v) as string).toWellFormed() : v,
  );
}

function onClient(client: pg.PoolClient): Sql {
  const run = (strings: TemplateStringsArray, values: unknown[]) => {
    const q = Prisma.sql(strings, ...(values as Prisma.Sql[]));
    return client.query({ name: nameOf(q.text), text: q.text, values: q.values.map(storable) });
  };
  return {
    locked: new Map(),
    query: async <T>(strings: TemplateStringsArray, ...values: unknown[]) => (await run(strings, values)).rows as T,
    execute: async (strings: TemplateStringsArray, ...values: unknown[]) => (await run(strings, values)).rowCount ?? 0,
  };
}

/**
 * Runs `fn` on one pooled connection. A checked-out client that loses its connection emits
 * 'error' (the pool listens only to idle ones); the statement in flight rejects anyway, so the
 * event must not go unhandled. A connection that failed is discarded, never handed on.
 */
async function withClient<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, discard: (err: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const discard = (err: Error) => (broken ??= err);
  client.on("error", discard);
  try {
    return await fn(client, discard);
  } finally {
    client.off("error", discard);
    client.release(broken);
  }
}

/** Runs `fn` in a transaction on one pooled connection: COMMIT if it resolves, ROLLBACK if it throws. */
export function inTransaction<T>(pool: pg.Pool, fn: (sql: Sql) => Promise<T>): Promise<T> {
  return withClient(pool, async (client, discard) => {
    try {
      await client.query("BEGIN");
      const result = await fn(onClient(client));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      // A connection that cannot roll back is discarded.
      await client.query("ROLLBACK").catch(discard);
      throw err;
    }
  });
}

/**
 * Runs `fn` on one pooled connection without a transaction: each statement commits on its own.
 * For a single statement that must be durable before anything else happens (the raw delivery).
 */
export function onConnection<T>(pool: pg.Pool, fn: (sql: Sql) => Promise<T>): Promise<T> {
  return withClient(pool, (client) => fn(onClient(client)));
}
