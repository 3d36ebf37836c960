// Why: `prisma migrate diff` needs Prisma's native schema engine, which the CLI downloads on first use and cannot
// fetch offline. This runs the same engine compiled to WebAssembly (@prisma/schema-engine-wasm, pinned to the
// build of prisma 7.10.0) over the pg driver adapter, and prints the SQL `prisma migrate diff --script` would.

// Usage (from anywhere; paths are relative to this project):
//   npx tsx scripts/migration-sql.ts               SQL from prisma/migrations to prisma/schema/
//   npx tsx scripts/migration-sql.ts --from-empty  SQL from an empty database to prisma/schema/
// Only the server in DATABASE_URL (default as in prisma.config.ts) is used: the engine insists on a connection,
// made to the `postgres` maintenance database, which the diff never reads. The migrations are replayed in a
// temporary database switchyard_shadow_<random>, created and dropped on that server.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import pg from "pg";

const root = resolve(import.meta.dirname, "..");
const schemaDir = join(root, "prisma", "schema");
const migrationsDir = join(root, "prisma", "migrations");

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--from-empty");
if (unknown.length > 0) {
  console.error(`unknown argument(s): ${unknown.join(" ")}\nusage: npx tsx scripts/migration-sql.ts [--from-empty]`);
  process.exit(64);
}
const fromEmpty = args.includes("--from-empty");

// Separate fields, not a connectionString: a connectionString would override the shadow database's name.
const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/switchyard");
const server: pg.PoolConfig = {
  host: decodeURIComponent(url.hostname),
  port: Number(url.port || 5432),
  user: decodeURIComponent(url.username) || undefined,
  password: url.password ? decodeURIComponent(url.password) : undefined,
};

// The engine's introspection queries return PostgreSQL's internal "char" type (oid 18, e.g. pg_class.relkind),
// which the pg adapter rejects as unsupported; report it as text (oid 25), which is what pg parses it to.
function charAsText(pool: pg.Pool): pg.Pool {
  const patch = (res: pg.QueryResult | undefined) => {
    for (const f of res?.fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25;
    return res;
  };
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as { query: unknown }).query = (...a: unknown[]) => {
      const cb = a.at(-1);
      if (typeof cb === "function") {
        // pool.query() passes a callback; client.query() from a transaction returns a promise.
        a[a.length - 1] = (err: Error | null, res?: pg.QueryResult) => cb(err, patch(res));
        return query(...a);
      }
      return (query(...a) as Promise<pg.QueryResult>).then(patch);
    };
  });
  return pool;
}

// Shadow database for --from-migrations: created here under our own name, dropped in main()'s finally.
let shadow: { database: string; pool: pg.Pool } | undefined;
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ ...server, database: "postgres" });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const factory = new PrismaPg({ ...server, database: "postgres" });
const migrationAwareFactory: SqlMigrationAwareDriverAdapterFactory = {
  provider: factory.provider,
  adapterName: factory.adapterName,
  connect: () => factory.connect(),
  async connectToShadowDb() {
    const database = `switchyard_shadow_${randomBytes(6).toString("hex")}`;
    await admin(`CREATE DATABASE "${database}"`);
    shadow = { database, pool: charAsText(new pg.Pool({ ...server, database })) };
    return new PrismaPg(shadow.pool).connect();
  },
};

// Same shape as the CLI's own reading of the migrations directory (sorted folder names, migration.sql each).
function migrationsList() {
  const lockPath = join(migrationsDir, "migration_lock.toml");
  const dirs = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => {
      const file = join(migrationsDir, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: existsSync(file)
            ? ({ tag: "ok", value: readFileSync(file, "utf8") } as const)
            : ({ tag: "error", value: `${relative(root, file)} not found` } as const),
        },
      };
    }),
  };
}

async function loadSchemaEngine() {
  // The package's entry imports its .wasm as an ES module, which Node 20 cannot; instantiate it by hand.
  const bg = await import("@prisma/schema-engine-wasm/schema_engine_bg");
  const wasmPath = join(root, "node_modules", "@prisma", "schema-engine-wasm", "schema_engine_bg.wasm");
  // @types/node declares WebAssembly's types but not the global value under lib ES2023.
  const wasm = (
    globalThis as unknown as {
      WebAssembly: { instantiate(b: Buffer, i: object): Promise<{ instance: { exports: Record<string, unknown> } }> };
    }
  ).WebAssembly;
  const { instance } = await wasm.instantiate(readFileSync(wasmPath), { "./schema_engine_bg.js": bg });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bg.SchemaEngine;
}

async function main(): Promise<number> {
  const SchemaEngine = await loadSchemaEngine();
  const paths = readdirSync(schemaDir)
    .filter((name) => name.endsWith(".prisma"))
    .map((name) => join(schemaDir, name));
  const schema = { files: paths.map((path) => ({ path, content: readFileSync(path, "utf8") })) };
  const log = (line: string) => {
    if (process.env.DEBUG) console.error(line);
  };
  const engine = await SchemaEngine.new(
    { datamodels: schema.files.map((f) => [f.path, f.content] as [string, string]) },
    log,
    bindMigrationAwareSqlAdapterFactory(migrationAwareFactory),
  );
  try {
    const result = await engine.diff({
      from: fromEmpty ? { tag: "empty" } : { tag: "migrations", ...migrationsList() },
      to: { tag: "schemaDatamodel", ...schema },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    if (result.stdout !== null) process.stdout.write(`${result.stdout}\n`); // as the CLI prints it
    return 0;
  } finally {
    if (shadow) {
      await shadow.pool.end();
      await admin(`DROP DATABASE IF EXISTS "${shadow.database}" WITH (FORCE)`);
    }
  }
}

// The engine leaves timers running, so exit explicitly (after stdout has drained).
main().then(
  (code) => process.stdout.write("", () => process.exit(code)),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
