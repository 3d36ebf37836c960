/** The pipeline benchmark's settings, from the environment (listed in bench/pipeline.ts's header). */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/shared/config.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
export const EVENTS = env("EVENTS", 50_000);
export const WORKERS = env("WORKERS", 2);
// Batch size and jobs in flight per worker: the service's own defaults unless set here.
export const {
  WORKER_BATCH_SIZE: BATCH_SIZE,
  WORKER_WRITERS: WRITERS,
  WORKER_CONCURRENCY: CONCURRENCY,
} = loadConfig(process.env);
// ~250 events per repository (200 at the default 50,000), so small runs still get production deploys.
export const REPOS = env("REPOS", Math.min(200, Math.max(8, Math.round(EVENTS / 250))));
export const TIMEOUT_MS = env("TIMEOUT_S", 900) * 1000;
export const TARGET = 3000; // events/s
export const BATCH = 500; // jobs per addBulk
export const LANES = 4; // addBulk calls in flight

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
// BENCH_SEED fixes the workload (SHAs, ids, times), so two commits' graphs can be compared digest for digest.
export const SEED = process.env.BENCH_SEED;
export const run = SEED ?? randomBytes(4).toString("hex");
export const REDIS_URL = "redis://127.0.0.1:6379";
export const REDIS_PREFIX = `bench-pipeline-${run}`;
// BENCH_PG_BASE: another server (say one with pg_stat_statements loaded, for a profile).
export const PG_BASE = process.env.BENCH_PG_BASE ?? "postgresql://postgres@127.0.0.1:5432";
export const DB = "switchyard_bench";
export const SCHEMA = `pipeline_${run}`;
export const DATABASE_URL = `${PG_BASE}/${DB}?schema=${SCHEMA}`;
// Signatures are not checked past the receiver; they are there so headers look as senders send them.
export const SECRET = "bench-secret";
export const DEPLOY_SECRET = `whsec_${Buffer.from("bench-deploy-secret-0123456789ab").toString("base64")}`;
