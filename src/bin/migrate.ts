import { loadConfig } from "../shared/config.js";
import { migrate } from "../store/migrate.js";

// `npm run migrate`: apply prisma/migrations to DATABASE_URL (creating the database if needed).
try {
  const { DATABASE_URL } = loadConfig();
  const applied = await migrate(DATABASE_URL);
  console.log(
    applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "database is up to date",
  );
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
