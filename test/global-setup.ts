import { randomBytes } from "node:crypto";
import pg from "pg";
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";
import { parseDatabaseUrl } from "../src/store/database-url.js";
import { migrate } from "../src/store/migrate.js";

/** Each run gets its own PostgreSQL schema and Redis key prefix, dropped afterwards. */
export default async function setup(project: TestProject) {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const base = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/switchyard_test";
  const url = new URL(base);
  url.searchParams.set("schema", `test_${run}`);
  const databaseUrl = url.toString();
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redisPrefix = `sy-test-${run}`;
  await migrate(databaseUrl);
  project.provide("databaseUrl", databaseUrl);
  project.provide("redisUrl", redisUrl);
  project.provide("redisPrefix", redisPrefix);

  return async () => {
    const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
    const client = new pg.Client({ connectionString });
    await client.connect();
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
    const redis = new Redis(redisUrl);
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${redisPrefix}*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await redis.quit();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}
