/** The chaos bench's settings, from the environment (listed in bench/chaos.ts's header). */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
export const RATE = num("RATE", 250);
export const SECONDS = num("SECONDS", 12);
export const TIMEOUT_S = num("TIMEOUT_S", 120);
export const PG_DOWN_S = num("PG_DOWN_S", 20);
export const KEEP = process.env.KEEP === "1";
export const FAULT_AT_S = Math.min(4, SECONDS / 3);
export const BACKOFF_MS = [500, 1000, 2000, 4000, 8000]; // 6 attempts over ~15 s

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const run = randomBytes(3).toString("hex");
export const PG_BASE = "postgresql://postgres@127.0.0.1:5432";
export const DB = "switchyard_bench";
export const SECRETS = {
  github: `chaos-gh-${run}`,
  slack: `chaos-slack-${run}`,
  linear: `chaos-linear-${run}`,
  deploy: `whsec_${Buffer.from(`chaos-deploy-secret-${run}-0123456789`).toString("base64")}`,
};
