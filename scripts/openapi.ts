/**
 * Prints the OpenAPI document of /api (GET /api/openapi.json) without starting the service:
 * `npx tsx scripts/openapi.ts > openapi.json`. The routes are built with stand-in dependencies,
 * which documenting them never calls.
 */
import { apiRouter, type ApiDeps } from "../src/api/router.js";
import { openApiDocument } from "../src/api/openapi.js";

const unused = {};
apiRouter({
  db: unused,
  rules: unused,
  backfills: unused,
  ingest: unused,
  outbound: unused,
  hub: unused,
  slots: unused,
  config: { productionEnvironments: [], allowPrivate: false },
} as unknown as ApiDeps);
process.stdout.write(`${JSON.stringify(openApiDocument(), null, 2)}\n`);
