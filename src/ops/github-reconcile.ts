import type { PrismaClient } from "../generated/prisma/client.js";
import {
  githubClient,
  parseHookTargets,
  reconcileGithub,
  type ReconcileOptions,
  type ReconcileReport,
} from "../platforms/github/reconcile.js";
import type { Config } from "../shared/config.js";
import type { Logger } from "../shared/log.js";
import { storedDeliveryIds } from "../store/deliveries.js";

/** Whether GitHub reconciliation is configured: credentials and at least one hook. */
export const reconcileConfigured = (c: Config) =>
  Boolean((c.GITHUB_TOKEN || (c.GITHUB_APP_ID && c.GITHUB_APP_PRIVATE_KEY)) && c.GITHUB_RECONCILE_HOOKS);

/** One pass: GitHub's failed deliveries of the configured hooks that Switchyard has not stored are redelivered. */
export function reconcileOnce(prisma: PrismaClient, c: Config, o: ReconcileOptions = {}): Promise<ReconcileReport> {
  const octokit = githubClient({
    token: c.GITHUB_TOKEN,
    appId: c.GITHUB_APP_ID,
    privateKey: c.GITHUB_APP_PRIVATE_KEY,
    baseUrl: c.GITHUB_API_URL,
  });
  const targets = parseHookTargets(c.GITHUB_RECONCILE_HOOKS ?? "");
  return reconcileGithub(octokit, targets, (guids) => storedDeliveryIds(prisma, "github", guids), o);
}

/** Runs a pass every GITHUB_RECONCILE_INTERVAL_S seconds (opt-in); returns the stop function. */
export function scheduleReconcile(prisma: PrismaClient, c: Config, log: Logger): () => void {
  if (!c.GITHUB_RECONCILE_INTERVAL_S || !reconcileConfigured(c)) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcileOnce(prisma, c)
      .then((r) => log.info({ ...r, skipped: r.skipped.length }, "github reconcile"))
      .catch((err: Error) => log.warn({ err: err.message }, "github reconcile failed"))
      .finally(() => (running = false));
  }, c.GITHUB_RECONCILE_INTERVAL_S * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
