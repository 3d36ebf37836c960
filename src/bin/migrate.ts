import { loadConfig } from "../shared/config.js";
import { keyring } from "../shared/seal.js";
import { migrate } from "../store/migrate.js";
import { createAhead } from "../store/partitions.js";
import { openDatabase } from "../store/prisma.js";
import { sealStoredSecrets } from "../store/subscriptions.js";

// `npm run migrate`: apply prisma/migrations to DATABASE_URL (creating the database if needed),
// then make the history's partitions of the next PARTITION_PREMAKE_DAYS days (docs/partitions.md) and seal
// subscriptions' secrets stored plain or under an older SECRETS_KEYS key (docs/security.md).
try {
  const { DATABASE_URL, SECRETS_KEYS, PARTITION_PREMAKE_DAYS } = loadConfig();
  const applied = await migrate(DATABASE_URL);
  console.log(
    applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "database is up to date",
  );
  const db = openDatabase(DATABASE_URL, 1);
  try {
    const { created } = await createAhead(db.pool, new Date(), PARTITION_PREMAKE_DAYS);
    if (created.length) console.log(`made ${created.length} partition(s) ahead`);
    const { checked, sealed } = await sealStoredSecrets(db.pool, keyring(SECRETS_KEYS));
    if (sealed)
      console.log(`sealed the secrets of ${sealed} of ${checked} subscription(s) with the first SECRETS_KEYS key`);
  } finally {
    await db.close();
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
