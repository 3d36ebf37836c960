import { createHash, randomUUID } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { parseDatabaseUrl } from "./database-url.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));
/** The advisory lock key `prisma migrate` takes, so both never run at once. */
const PRISMA_LOCK = 72707369;

/** `_prisma_migrations` exactly as Prisma creates it, so `prisma migrate deploy` sees our history. */
const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

const quote = (ident: string) => `"${ident.replaceAll('"', '""')}"`;

async function connect(connectionString: string, database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    return client;
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw err; // 3D000: database does not exist
    const admin = new pg.Client({
      connectionString: Object.assign(new URL(connectionString), { pathname: "/postgres" }).toString(),
    });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${quote(database)}`);
    } catch (e) {
      if ((e as { code?: string }).code !== "42P04") throw e; // created meanwhile by another process
    } finally {
      await admin.end();
    }
    const retry = new pg.Client({ connectionString });
    await retry.connect();
    return retry;
  }
}

/**
 * Applies prisma/migrations the way `prisma migrate deploy` does (same history table, checksums
 * and lock), without Prisma's native schema engine. Creates the database and schema if missing.
 * Returns the names of the migrations it applied. `before`: only those named before it (tests fill a
 * database as an earlier schema had it).
 */
export async function migrate(databaseUrl: string, { before }: { before?: string } = {}): Promise<string[]> {
  const { connectionString, schema, database } = parseDatabaseUrl(databaseUrl);
  const client = await connect(connectionString, database);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);
    await client.query(`SET search_path TO ${quote(schema)}`);
    await client.query(HISTORY_TABLE);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
    const failed = rows.find((r) => !r.finished_at && !r.rolled_back_at);
    if (failed) throw new Error(`migration ${failed.migration_name} failed earlier; resolve it before migrating again`);
    const done = new Set(rows.filter((r) => r.finished_at).map((r) => r.migration_name));
    const names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const applied: string[] = [];
    for (const name of names) {
      if (done.has(name)) continue;
      if (before !== undefined && name >= before) break;
      const sql = await readFile(`${MIGRATIONS_DIR}${name}/migration.sql`, "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      // One transaction per migration: PostgreSQL DDL is transactional, so a failure leaves nothing half-done.
      await client.query("BEGIN");
      try {
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
          [randomUUID(), checksum, name],
        );
        await client.query(sql);
        await client.query(
          `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE migration_name = $1`,
          [name],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(name);
    }
    return applied;
  } finally {
    await client.end();
  }
}
