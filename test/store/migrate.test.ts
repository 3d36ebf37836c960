import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/store/migrate.js";

const server = "postgresql://postgres@127.0.0.1:5432";

describe("npm run migrate (src/store/migrate.ts)", () => {
  it("creates a missing database, applies the migrations once, and records them as prisma migrate does", async () => {
    const db = `switchyard_mig_${randomBytes(4).toString("hex")}`;
    try {
      const applied = await migrate(`${server}/${db}`);
      const names = readdirSync(new URL("../../prisma/migrations/", import.meta.url), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
      expect(names.length).toBeGreaterThanOrEqual(2);
      expect(applied).toEqual(names);
      expect(await migrate(`${server}/${db}`)).toEqual([]);
      const client = new pg.Client({ connectionString: `${server}/${db}` });
      await client.connect();
      const { rows } = await client.query(
        `SELECT migration_name, checksum, finished_at, applied_steps_count
         FROM _prisma_migrations ORDER BY migration_name`,
      );
      const sql = readFileSync(new URL("../../prisma/migrations/20261122000000_init/migration.sql", import.meta.url));
      expect(rows).toHaveLength(names.length);
      expect(rows[0]).toMatchObject({
        migration_name: "20261122000000_init",
        checksum: createHash("sha256").update(sql).digest("hex"),
        applied_steps_count: 1,
      });
      expect(rows[0].finished_at).toBeInstanceOf(Date);
      const tables = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
      expect(tables.rows.map((r) => r.tablename)).toEqual(
        expect.arrayContaining([
          "events",
          "raw_deliveries",
          "github_events",
          "slack_events",
          "linear_events",
          "deployments",
        ]),
      );
      await client.end();
    } finally {
      const admin = new pg.Client({ connectionString: `${server}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    }
  });
});
