import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { loadConfig } from "../../src/shared/config.js";
import { createLogger } from "../../src/shared/log.js";
import { startService, type ServiceOptions } from "../../src/service.js";
import pg from "pg";
import { parseDatabaseUrl } from "../../src/store/database-url.js";
import { migrate } from "../../src/store/migrate.js";
import { createPrisma, openDatabase, type Database } from "../../src/store/prisma.js";
import { useKeyring } from "../../src/store/subscriptions.js";
import { keyring } from "../../src/shared/seal.js";

export const SECRETS = {
  github: ["gh-secret-current", "gh-secret-previous"],
  slack: ["slack-signing-current", "slack-signing-previous"],
  linear: ["lin_wh_current", "lin_wh_previous"],
  deploy: [
    `whsec_${Buffer.from("deploy-secret-current-32-bytes!!").toString("base64")}`,
    `whsec_${Buffer.from("deploy-secret-previous-32-bytes!").toString("base64")}`,
  ],
  pagerduty: ["pd-webhook-current", "pd-webhook-previous"],
  sentry: ["sentry-client-current", "sentry-client-previous"],
  gitlab: ["gitlab-token-current", "gitlab-token-previous"],
  argocd: ["argocd-secret-current", "argocd-secret-previous"],
  vercel: ["vercel-secret-current", "vercel-secret-previous"],
  netlify: ["netlify-jws-current", "netlify-jws-previous"],
  circleci: ["circleci-secret-current", "circleci-secret-previous"],
};
export const API_TOKENS = ["token-analyst-0123456789abcdef0123456789", "token-rotated-0123456789abcdef0123456789"];

/** Seals subscription secrets at rest (`KEY_ID:BASE64` of 32 bytes). */
export const SECRETS_KEYS = [`test:${Buffer.from("switchyard-test-sealing-key-32b!").toString("base64")}`];

/** A real server (port 0) with real PostgreSQL and Redis, isolated by the run's schema and a per-call prefix. */
export async function startTestService(env: Record<string, string> = {}, options: ServiceOptions = {}) {
  const config = loadConfig({
    PORT: "0",
    DATABASE_URL: inject("databaseUrl"),
    REDIS_URL: inject("redisUrl"),
    REDIS_PREFIX: `${inject("redisPrefix")}-${randomBytes(3).toString("hex")}`,
    GITHUB_WEBHOOK_SECRET: SECRETS.github.join(","),
    SLACK_SIGNING_SECRET: SECRETS.slack.join(","),
    LINEAR_WEBHOOK_SECRET: SECRETS.linear.join(","),
    DEPLOY_WEBHOOK_SECRET: SECRETS.deploy.join(","),
    PAGERDUTY_WEBHOOK_SECRET: SECRETS.pagerduty.join(","),
    SENTRY_CLIENT_SECRET: SECRETS.sentry.join(","),
    GITLAB_WEBHOOK_SECRET: SECRETS.gitlab.join(","),
    ARGOCD_WEBHOOK_SECRET: SECRETS.argocd.join(","),
    VERCEL_WEBHOOK_SECRET: SECRETS.vercel.join(","),
    NETLIFY_WEBHOOK_SECRET: SECRETS.netlify.join(","),
    CIRCLECI_WEBHOOK_SECRET: SECRETS.circleci.join(","),
    API_TOKENS: API_TOKENS.join(","),
    SECRETS_KEYS: SECRETS_KEYS.join(","),
    JOB_BACKOFF_MS: "50",
    // A loaded CI machine can take longer than the production bound; the Redis-down test does not wait on it.
    ENQUEUE_TIMEOUT_MS: "5000",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...env,
  });
  const service = await startService(config, createLogger(config.LOG_LEVEL), options);
  return { service, config, url: `http://127.0.0.1:${service.port}` };
}

/** A Prisma client on the run's schema (or the one given), sealing with the tests' key like their services. */
export function testPrisma(databaseUrl = inject("databaseUrl")) {
  const prisma = createPrisma(databaseUrl, 2);
  useKeyring({ prisma }, keyring(SECRETS_KEYS));
  return prisma;
}

/** Polls until `fn` returns a truthy value. */
export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("waitFor: timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A schema of its own, migrated, for a file that changes global state (such as switching a
 * built-in rule off) which other files running in parallel must not see. Returns its URL and a drop.
 */
export async function isolatedDatabase() {
  const url = new URL(inject("databaseUrl"));
  const schema = `${url.searchParams.get("schema")}_${randomBytes(3).toString("hex")}`;
  url.searchParams.set("schema", schema);
  await migrate(url.toString());
  return {
    url: url.toString(),
    async drop() {
      const { connectionString } = parseDatabaseUrl(url.toString());
      const client = new pg.Client({ connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/**
 * An isolated schema (above) opened as a database handle for the file or describe block: `db` fills in
 * beforeAll (register this before the hooks that seed it); closed and dropped after.
 */
export function useIsolatedDatabase(poolSize = 2): { readonly db: Database } {
  const handle = {} as { db: Database };
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const isolated = await isolatedDatabase();
    drop = isolated.drop;
    handle.db = openDatabase(isolated.url, poolSize);
  });
  afterAll(async () => {
    await handle.db?.close();
    await drop?.();
  });
  return handle;
}

/** Starts a test service for the file (beforeAll) and closes it after (afterAll); fields fill in beforeAll. */
export function useTestService(env: Record<string, string> = {}, options: ServiceOptions = {}) {
  const svc = {} as Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    Object.assign(svc, await startTestService(env, options));
  });
  afterAll(() => svc.service?.close());
  return svc;
}

/**
 * A service alone on a schema of its own (dropped after), with a Prisma client on it. For files
 * that follow messages through the relay: a deployment serves one schema with one Redis prefix,
 * but test services share the run's schema, each with its own prefix, and the relay that numbers
 * a row queues its messages on its own service's prefix.
 */
export function useIsolatedService(env: Record<string, string> = {}) {
  const svc = {} as Awaited<ReturnType<typeof startTestService>> & {
    prisma: ReturnType<typeof testPrisma>;
    databaseUrl: string;
  };
  let db: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;
  beforeAll(async () => {
    db = await isolatedDatabase();
    Object.assign(svc, await startTestService({ ...env, DATABASE_URL: db.url }), {
      prisma: testPrisma(db.url),
      databaseUrl: db.url,
    });
  });
  afterAll(async () => {
    await svc.service?.close();
    await svc.prisma?.$disconnect();
    await db?.drop();
  });
  return svc;
}

/** A Prisma client for the file's assertions, disconnected after it. */
export function useTestPrisma() {
  const prisma = testPrisma();
  afterAll(() => prisma.$disconnect());
  return prisma;
}
