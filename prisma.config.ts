import { existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "prisma/config";

// `prisma generate` needs no native engine, but every CLI command first tries to download the
// schema engine. Pointing it at a stub keeps generate offline; migrations run through
// src/store/migrate.ts instead (see README, "Database").
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const stub = join(tmpdir(), "switchyard-no-schema-engine.sh");
  if (!existsSync(stub)) writeFileSync(stub, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
}
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  schema: "prisma/schema",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/switchyard" },
});
