import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { parseDatabaseUrl } from "./database-url.js";

export interface Database {
  prisma: PrismaClient;
  /** The pool Prisma's adapter runs on; the processors' transactions use it directly (see sql.ts). */
  pool: pg.Pool;
  close(): Promise<void>;
}

/** The search_path makes raw SQL (views, keyset queries, the processors' statements) see the model queries' schema. */
function poolConfig(databaseUrl: string, max: number): { config: pg.PoolConfig; schema: string } {
  const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
  // Bounds, so a stuck lock holder or an exhausted pool fails a batch (whose jobs are retried)
  // instead of stalling a worker: lock waits 30 s, statements 60 s, a free connection 10 s.
  // JIT off: these are short statements, and a generic plan's estimates (arrays of unknown length,
  // recursive walks) can pass jit_above_cost, where compiling took 100+ ms of a 5 ms statement,
  // inside a transaction holding its repositories' locks.
  const searchPath = `-c search_path="${schema.replaceAll('"', '""')}"`;
  const options = `${searchPath} -c lock_timeout=30000 -c statement_timeout=60000 -c jit=off`;
  // Connections are renewed every 60 s: their prepared statements' plans (sql.ts) then follow
  // the tables as they grow, instead of keeping a plan made when a table was nearly empty. Not
  // sooner: a new connection first loads every history partition it reads, with their indexes,
  // which at 15 s cost the pipeline a quarter of its throughput (docs/partitions.md).
  return {
    config: { connectionString, max, options, maxLifetimeSeconds: 60, connectionTimeoutMillis: 10_000 },
    schema,
  };
}

/** Prisma over the `pg` driver adapter (no native query engine), and that adapter's pool. */
export function openDatabase(databaseUrl: string, max = 10): Database {
  const { config, schema } = poolConfig(databaseUrl, max);
  const pool = new pg.Pool(config);
  // An idle client that loses its connection emits here; without a listener that would crash the process.
  pool.on("error", () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema }) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** A Prisma client alone, for callers that never open a processor transaction. */
export function createPrisma(databaseUrl: string, max = 10): PrismaClient {
  const { config, schema } = poolConfig(databaseUrl, max);
  return new PrismaClient({ adapter: new PrismaPg(config, { schema }) });
}

export type { PrismaClient };
