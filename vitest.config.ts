import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files share one PostgreSQL schema and Redis; each file starts its own server and queue prefix.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
