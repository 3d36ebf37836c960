/**
 * Statement overhead: the cost of one small parameterized statement inside a transaction, run
 * through Prisma's interactive transaction (`$queryRaw`/`$executeRaw`) and on a pg connection as the
 * processors run them (src/store/sql.ts, prepared). Why the processors' transactions bypass
 * `prisma.$transaction`. Touches no table; loopback only; N statements per variant.
 * Run: npx tsx bench/sql-overhead.ts   Env: N (3000), DATABASE_URL (the local postgres database)
 */
import os from "node:os";
import { openDatabase } from "../src/store/prisma.js";
import { inTransaction } from "../src/store/sql.js";

const N = Number(process.env.N ?? 3000);
const db = openDatabase(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", 2);

async function timed(name: string, run: () => Promise<void>) {
  await run(); // warm-up: connection, statement preparation, JIT
  const t0 = performance.now();
  await run();
  const us = ((performance.now() - t0) * 1000) / N;
  console.log(`${name.padEnd(44)} ${us.toFixed(0).padStart(5)} µs per statement`);
  return us;
}

try {
  console.log(
    `machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, node ${process.version}; ${N} statements per variant`,
  );
  const viaPrisma = await timed("prisma.$transaction + tx.$queryRaw", () =>
    db.prisma.$transaction(
      async (tx) => {
        for (let i = 0; i < N; i++) await tx.$queryRaw`SELECT ${i}::int AS x, ${"abc"}::text AS y`;
      },
      { timeout: 120_000 },
    ),
  );
  const viaPg = await timed("pg transaction + sql.query (src/store/sql.ts)", () =>
    inTransaction(db.pool, async (tx) => {
      for (let i = 0; i < N; i++) await tx.query`SELECT ${i}::int AS x, ${"abc"}::text AS y`;
    }),
  );
  console.log(`Prisma costs ${(viaPrisma / viaPg).toFixed(1)}× the pg pool per statement`);
  // The pg pool is the ceiling here: the figure is Prisma's path, over it.
  console.log(`ratio: ${Math.round((viaPg / viaPrisma) * 100)} % (pg pool µs / Prisma µs per statement)`);
} finally {
  await db.close();
}
