import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { parseDatabaseUrl } from "./database-url.js";

/**
 * Prisma over the `pg` driver adapter: no native query engine needed. The search_path makes raw
 * SQL (views, keyset queries) see the same schema as the generated model queries.
 */
export function createPrisma(databaseUrl: string, max = 10): PrismaClient {
  const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
  const options = `-c search_path="${schema.replaceAll('"', '""')}"`;
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max, options }, { schema }) });
}

export type { PrismaClient };
