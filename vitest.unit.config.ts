import { defineConfig } from "vitest/config";

/**
 * `npm run test:unit`: the pure modules' tests and the graph SQL on seeded tables (a schema of
 * the run, no HTTP, no Redis). Seconds, and a failure points at one module.
 */
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/store/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
