import { defineConfig } from "vitest/config";

/**
 * `npm run test:unit`: each module's own tests (test/<its path under src/>), pure logic and SQL on
 * a schema of the run, without the service-level suites (test/e2e/, test/browser/). Seconds, and a
 * failure points at one module.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/browser/**", "**/node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
