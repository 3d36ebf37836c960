import { z } from "zod";
import { parseDeployWorkflows } from "../platforms/circleci/deploy-workflows.js";
import { parseApiTokens } from "./api-tokens.js";
import { parseSchedule } from "./duration.js";
import { keyProblems } from "./seal.js";

/** Comma-separated list; empty entries dropped. Several values allow secret rotation. */
const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** `host:port` of a cluster node (a host name, IPv4, or `[IPv6]`). */
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const CLUSTER_URL = /^redis\+cluster:\/\/(?:([^@/]*)@)?([^@/?#]+)\/?$/;

export interface RedisNode {
  host: string;
  port: number;
}

const nodeOf = (s: string): RedisNode => {
  const [, host, port] = HOST_PORT.exec(s)!;
  return { host: host!.replace(/^\[|\]$/g, ""), port: Number(port) };
};

/**
 * The Redis Cluster to use (REDIS_CLUSTER_NODES, or a `redis+cluster://` REDIS_URL), or null for one
 * Redis at REDIS_URL. Credentials come from REDIS_URL's user and password either way.
 */
export function redisCluster(
  c: Pick<Config, "REDIS_URL" | "REDIS_CLUSTER_NODES">,
): { nodes: RedisNode[]; username?: string; password?: string } | null {
  const m = CLUSTER_URL.exec(c.REDIS_URL);
  const auth = m ? m[1] : URL.canParse(c.REDIS_URL) ? authOf(new URL(c.REDIS_URL)) : undefined;
  const nodes = c.REDIS_CLUSTER_NODES.length ? c.REDIS_CLUSTER_NODES : m ? m[2]!.split(",") : [];
  if (!nodes.length) return null;
  const [username, password] = auth ? splitAuth(auth) : [];
  return {
    nodes: nodes.map((n) => nodeOf(n.trim())),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

const authOf = (u: URL) => (u.username || u.password ? `${u.username}:${u.password}` : undefined);
function splitAuth(auth: string): [string | undefined, string | undefined] {
  const at = auth.indexOf(":");
  const [user, pass] = at < 0 ? [auth, ""] : [auth.slice(0, at), auth.slice(at + 1)];
  return [user ? decodeURIComponent(user) : undefined, pass ? decodeURIComponent(pass) : undefined];
}

export const DEFAULT_PRODUCTION_ENVIRONMENTS = ["prod*", "production*", "live"];
export const DEFAULT_INCIDENT_WINDOW_HOURS = 72;
export const DEFAULT_INCIDENT_LABELS = ["incident"];

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.url().default("postgresql://postgres@127.0.0.1:5432/switchyard"),
  /** A Redis URL, or `redis+cluster://[user:password@]host:port[,host:port…]` for a Redis Cluster. */
  REDIS_URL: z
    .string()
    .default("redis://127.0.0.1:6379")
    .refine((v) => CLUSTER_URL.test(v) || z.url().safeParse(v).success, {
      message: "must be a redis:// URL or redis+cluster://host:port[,host:port…]",
    }),
  REDIS_PREFIX: z.string().min(1).default("switchyard"),
  GITHUB_WEBHOOK_SECRET: list,
  SLACK_SIGNING_SECRET: list,
  LINEAR_WEBHOOK_SECRET: list,
  DEPLOY_WEBHOOK_SECRET: list.refine((secrets) => secrets.every((s) => s.startsWith("whsec_")), {
    message: "every secret must start with whsec_",
  }),
  /** PagerDuty v3 webhook subscription secret(s). */
  PAGERDUTY_WEBHOOK_SECRET: list,
  /** The Client Secret(s) of the Sentry integration that sends the webhooks. */
  SENTRY_CLIENT_SECRET: list,
  /** GitLab webhooks' secret token(s) (`X-Gitlab-Token`), or signing token(s) (`whsec_…`, Standard Webhooks). */
  GITLAB_WEBHOOK_SECRET: list,
  /** The shared secret(s) Argo CD's notifications webhook sends as a bearer token or Basic auth password. */
  ARGOCD_WEBHOOK_SECRET: list,
  /** Vercel webhook secret(s) (an integration's Client Secret): `x-vercel-signature` is their HMAC-SHA1. */
  VERCEL_WEBHOOK_SECRET: list,
  /** Netlify's JWS secret token(s) of its outgoing deploy notifications. */
  NETLIFY_WEBHOOK_SECRET: list,
  /** CircleCI webhook signing secret(s). */
  CIRCLECI_WEBHOOK_SECRET: list,
  /**
   * Which CircleCI workflows are deploys, and to which environment: `glob=environment` pairs, comma-separated,
   * first match wins (`deploy-prod*=production,deploy-*=staging`); a glob alone deploys to `production`.
   */
  CIRCLECI_DEPLOY_WORKFLOWS: z
    .string()
    .default("*deploy*=production")
    // Parsed once here: a bad value stops the start-up rather than every delivery.
    .transform((text, ctx) => {
      try {
        return parseDeployWorkflows(text);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** `secret`, `name:secret` or `name:secret:scope+scope`, comma-separated (shared/api-tokens.ts, docs/security.md). */
  API_TOKENS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const { tokens, problems } = parseApiTokens(text);
      for (const message of problems) ctx.addIssue({ code: "custom", message });
      return tokens;
    }),
  /** Failed authentications one client may make per window before it is answered 429 for a window. */
  AUTH_FAILURES_MAX: z.coerce.number().int().positive().default(20),
  AUTH_FAILURES_WINDOW_S: z.coerce.number().int().positive().default(60),
  /**
   * Keys sealing subscription secrets at rest, `KEY_ID:BASE64`, comma-separated: the first seals, all open
   * (docs/security.md).
   */
  SECRETS_KEYS: list.superRefine((entries, ctx) => {
    for (const message of keyProblems(entries)) ctx.addIssue({ code: "custom", message });
  }),
  // GitHub redelivery reconciler (docs/operations.md "GitHub redelivery"): a token or App credentials, and the hooks.
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_APP_ID: z.string().regex(/^\d+$/, "a numeric GitHub App id").optional(),
  /** PEM; `\n` written as two characters (as env files often hold it) is read as a newline. */
  GITHUB_APP_PRIVATE_KEY: z
    .string()
    .min(1)
    .optional()
    .transform((k) => k?.replaceAll("\\n", "\n")),
  GITHUB_API_URL: z.url().optional(),
  /** `owner/repo:HOOK_ID,org:ORG:HOOK_ID,app` */
  GITHUB_RECONCILE_HOOKS: z.string().optional(),
  /** Seconds between reconcile passes on workers; 0 (default) leaves it to `switchyard reconcile github`. */
  GITHUB_RECONCILE_INTERVAL_S: z.coerce.number().int().nonnegative().default(0),
  /** History import (docs/import.md): times one request is retried after a rate limit, a 5xx or a network error. */
  GITHUB_IMPORT_RETRIES: z.coerce.number().int().min(0).max(20).default(5),
  /** History import: the base of plugin-retry's wait after a 5xx, times the attempt squared (ms). */
  GITHUB_IMPORT_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(1000),
  /**
   * History import: the longest rate-limit wait a request waits out in place (s); a longer one (GitHub's primary
   * limit resets hourly) puts the job aside until the reset, without spending an attempt.
   */
  GITHUB_IMPORT_MAX_WAIT_S: z.coerce.number().int().min(1).max(3600).default(120),
  /** History import: items per page GitHub is asked for (its maximum, 100, unless a test wants more pages). */
  GITHUB_IMPORT_PER_PAGE: z.coerce.number().int().min(1).max(100).default(100),
  /** Environments DORA counts when none is named (contract §6): globs, case-insensitive. */
  PRODUCTION_ENVIRONMENTS: list.transform((globs) => (globs.length ? globs : DEFAULT_PRODUCTION_ENVIRONMENTS)),
  /** Issue labels (GitHub, Linear) that make an issue an incident (docs/incidents.md): names, case-insensitive. */
  INCIDENT_LABELS: list.transform((labels) => (labels.length ? labels : DEFAULT_INCIDENT_LABELS)),
  /** Issue labels of bug fixes: a deploy shipping a change that closes such an issue is rework (docs/dora.md). */
  BUG_LABELS: list.transform((labels) => (labels.length ? labels : ["bug"])),
  /** How far before an incident a production deploy is still a suspect (docs/incidents.md). */
  INCIDENT_SUSPECT_WINDOW_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(DEFAULT_INCIDENT_WINDOW_HOURS),
  ROLE: z.enum(["all", "web", "worker"]).default("all"),
  WEBHOOK_MAX_BYTES: z.coerce.number().int().positive().default(26_214_400),
  /** How long a delivery id is remembered for deduplication (GitHub redelivers for 3 days). */
  DEDUPE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  /** Upper bound for an enqueue before the receiver answers 503. */
  ENQUEUE_TIMEOUT_MS: z.coerce.number().int().positive().default(800),
  /** Jobs a worker process holds at once: a full batch for each writer (2 × 200) by default. */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(400),
  /** Most jobs stored and correlated in one transaction. */
  WORKER_BATCH_SIZE: z.coerce.number().int().positive().default(200),
  /** Batches a worker process writes at once, each for its own share of repositories (teams, channels). */
  WORKER_WRITERS: z.coerce.number().int().positive().default(2),
  /** How long a lone job waits for others before its batch is written. */
  WORKER_LINGER_MS: z.coerce.number().int().nonnegative().default(5),
  /** Attempts of a job: with the capped backoff below, about 90 minutes of retries, longer than a database failover. */
  JOB_ATTEMPTS: z.coerce.number().int().positive().default(25),
  JOB_BACKOFF_MS: z.coerce.number().int().positive().default(1000),
  JOB_BACKOFF_MAX_MS: z.coerce.number().int().positive().default(300_000),
  /** A killed worker's jobs are taken over after about this long (BullMQ lock), checked this often. */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).default(15_000),
  JOB_STALLED_CHECK_MS: z.coerce.number().int().min(500).default(5_000),
  // receive limits (contract §2)
  /** Per-platform body limits; WEBHOOK_MAX_BYTES stays an overall cap above them all. */
  WEBHOOK_MAX_BYTES_GITHUB: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  WEBHOOK_MAX_BYTES_LINEAR: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  WEBHOOK_MAX_BYTES_SLACK: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  WEBHOOK_MAX_BYTES_DEPLOY: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** PagerDuty drops webhooks over 256 KB. */
  WEBHOOK_MAX_BYTES_PAGERDUTY: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Sentry's alert webhooks carry the whole event (stack traces, breadcrumbs). */
  WEBHOOK_MAX_BYTES_SENTRY: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  /** GitLab's push and merge request hooks can list many commits. */
  WEBHOOK_MAX_BYTES_GITLAB: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  WEBHOOK_MAX_BYTES_ARGOCD: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  WEBHOOK_MAX_BYTES_VERCEL: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  WEBHOOK_MAX_BYTES_NETLIFY: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  WEBHOOK_MAX_BYTES_CIRCLECI: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Body bytes being read or held at once across all webhook requests; above it 503 with Retry-After. */
  WEBHOOK_MAX_INFLIGHT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Node's server timeouts: the whole request (a slow body is cut), its headers, an idle keep-alive socket. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  // outbound (contract §9, §10)
  /** Let subscriptions send to private, loopback and link-local addresses (tests, on-premises receivers). */
  OUTBOUND_ALLOW_PRIVATE: z
    .enum(["true", "false", "1", "0", ""])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** Delays before each retry of a failed message, with units (`5s,5m,30m,2h,5h,10h,10h`). */
  OUTBOUND_RETRY_SCHEDULE: z
    .string()
    .default("5s,5m,30m,2h,5h,10h,10h")
    .transform((text, ctx) => {
      try {
        return parseSchedule(text);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** One attempt's time limit, connection to last byte. */
  OUTBOUND_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** Messages a worker process sends at once. */
  OUTBOUND_CONCURRENCY: z.coerce.number().int().positive().default(100),
  /** Of those, at most this many to one subscription: a slow one waits on its own (issue 21). */
  OUTBOUND_MAX_IN_FLIGHT_PER_SUBSCRIPTION: z.coerce.number().int().positive().default(50),
  /** And at most this many to one destination host name, whichever subscriptions send there. */
  OUTBOUND_MAX_IN_FLIGHT_PER_HOST: z.coerce.number().int().positive().default(50),
  /** A subscription whose messages have only failed for this long is disabled, with the reason. */
  OUTBOUND_DISABLE_AFTER_S: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 86_400),
  /** github-dispatch subscriptions (docs/outbound.md "CI triggers"): the token dispatching; GITHUB_TOKEN when unset. */
  GITHUB_DISPATCH_TOKEN: z.string().min(1).optional(),
  /** A digest period is summed up this long after it ends: rows stored late still count in theirs. */
  DIGEST_DELAY_S: z.coerce.number().int().min(0).default(60),
  /** A subscription's circuit breaker opens after this many consecutive failed attempts (0: never). */
  OUTBOUND_BREAKER_FAILURES: z.coerce.number().int().min(0).default(5),
  /** And stays open this long before one probe attempt goes. */
  OUTBOUND_BREAKER_COOLDOWN_S: z.coerce.number().positive().default(60),
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  /** Slack Web API base, ending in /api/. */
  SLACK_API_URL: z.url().default("https://slack.com/api/"),
  LINEAR_API_KEY: z.string().min(1).optional(),
  LINEAR_API_URL: z.url().default("https://api.linear.app/graphql"),
  /** Comment line on idle live streams (contract §10). */
  STREAM_HEARTBEAT_MS: z.coerce.number().int().positive().default(15_000),
  /** Live streams (SSE, and a WebSocket) one process serves at once; beyond, 503 with Retry-After. */
  STREAM_MAX_CLIENTS: z.coerce.number().int().positive().default(1000),
  /** Live streams one API token holds open at once in one process; beyond, 503 with Retry-After. */
  STREAM_MAX_CLIENTS_PER_TOKEN: z.coerce.number().int().positive().default(100),
  /** Bytes of frames queued for one live client that does not read: past it its stream ends (it resumes). */
  STREAM_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(1024 * 1024),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** A streaming replica for the web role's reads (docs/read-replicas.md); `?schema=` as DATABASE_URL's. */
  DATABASE_READ_URL: z.url().optional(),
  /** Reads go to the primary while the replica lags more than this (or cannot answer). */
  READ_MAX_LAG_MS: z.coerce.number().int().min(0).default(5000),
  /** Redis Cluster seed nodes, `host:port,host:port…` (docs/redis-cluster.md); REDIS_URL then gives only credentials. */
  REDIS_CLUSTER_NODES: list.refine((nodes) => nodes.every((n) => HOST_PORT.test(n)), {
    message: "must be host:port[,host:port…]",
  }),
  /** `platform`: one ingest queue per platform, each in its own cluster slot (docs/redis-cluster.md "Splitting"). */
  QUEUE_SPLIT: z.enum(["none", "platform"]).default("none"),
  /** Days of history partitions made ahead of today (docs/partitions.md). */
  PARTITION_PREMAKE_DAYS: z.coerce.number().int().min(1).max(90).default(2),
  /**
   * Days raw deliveries are kept, by whole days (0: for ever); at least RETENTION_DAYS_EVENTS, and 3: their
   * delivery keys go with them, and the GitHub reconciler looks up to 3 days back for deliveries not stored.
   */
  RETENTION_DAYS_RAW: z.coerce
    .number()
    .int()
    .min(0)
    .refine((v) => v === 0 || v >= 3, "0 (for ever) or at least 3 (GitHub redelivers up to 3 days back)")
    .default(0),
  /** Days events and their platform rows are kept (0: for ever). The graph's entities and links stay. */
  RETENTION_DAYS_EVENTS: z.coerce.number().int().min(0).default(0),
  /** Days the outbox, attempts and finished outbound messages are kept (0: for ever). Facts told stay. */
  RETENTION_DAYS_OUTBOUND: z.coerce.number().int().min(0).default(0),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Parses the environment; the message names every invalid variable and never echoes a value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (result.success) {
    const tagged = result.data.QUEUE_SPLIT !== "none" || redisCluster(result.data) !== null;
    // A tag in the prefix would put every key in one slot, and then the queues' own tags do nothing.
    if (tagged && /[{}]/.test(result.data.REDIS_PREFIX))
      throw new ConfigError(
        "invalid configuration: REDIS_PREFIX: must not contain { or } on a Redis Cluster or with QUEUE_SPLIT",
      );
    // An event without its raw delivery could not be replayed: raw deliveries go after their events (docs/partitions.md).
    const { RETENTION_DAYS_RAW: raw, RETENTION_DAYS_EVENTS: events, RETENTION_DAYS_OUTBOUND: outbound } = result.data;
    if (raw > 0 && (events === 0 || events > raw))
      throw new ConfigError(
        "invalid configuration: RETENTION_DAYS_RAW: must be at least RETENTION_DAYS_EVENTS, which must then be set (an event keeps its raw delivery)",
      );
    // The outbox's event rows read their data from `events`: a stream resuming from an older position needs them.
    if (events > 0 && (outbound === 0 || outbound > events))
      throw new ConfigError(
        "invalid configuration: RETENTION_DAYS_OUTBOUND: must be set and at most RETENTION_DAYS_EVENTS (the outbox's events are read from them)",
      );
    return result.data;
  }
  const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
}
