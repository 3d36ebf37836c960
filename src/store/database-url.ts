/**
 * Splits `?schema=` off a PostgreSQL URL: pg does not know the parameter, Prisma's adapter and the
 * migrator take it separately. Tests use it to give each run its own schema.
 */
export function parseDatabaseUrl(url: string): { connectionString: string; schema: string; database: string } {
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? "public";
  u.searchParams.delete("schema");
  return { connectionString: u.toString(), schema, database: decodeURIComponent(u.pathname.slice(1)) || "postgres" };
}
