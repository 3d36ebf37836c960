import { z } from "zod";

/** Comma-separated list; empty entries dropped. Several values allow secret rotation. */
const list = z
  .string()
  .optional()
  .transform((v) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.url().default("postgresql://postgres@127.0.0.1:5432/switchyard"),
  REDIS_URL: z.url().default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z.string().min(1).default("switchyard"),
  GITHUB_WEBHOOK_SECRET: list,
  SLACK_SIGNING_SECRET: list,
  LINEAR_WEBHOOK_SECRET: list,
  DEPLOY_WEBHOOK_SECRET: list.refine((secrets) => secrets.every((s) => s.startsWith("whsec_")), {
    message: "every secret must start with whsec_",
  }),
  API_TOKENS: list,
  ROLE: z.enum(["all", "web", "worker"]).default("all"),
  WEBHOOK_MAX_BYTES: z.coerce.number().int().positive().default(26_214_400),
  /** How long a delivery id is remembered for deduplication (GitHub redelivers for 3 days). */
  DEDUPE_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
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
  JOB_ATTEMPTS: z.coerce.number().int().positive().default(8),
  JOB_BACKOFF_MS: z.coerce.number().int().positive().default(1000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Parses the environment; the message names every invalid variable and never echoes a value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
}
