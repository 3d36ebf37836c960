import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling, type ThrottlingOptions } from "@octokit/plugin-throttling";
import {
  GITHUB_WINDOW_MS,
  planRedeliveries,
  unsucceededGuids,
  type DeliveryAttempt,
  type SkipReason,
} from "./reconcile-plan.js";

/**
 * GitHub never redelivers a failed webhook delivery by itself; it keeps them listable and redeliverable (same
 * X-GitHub-Delivery GUID) for 3 days. This lists recent deliveries of the configured hooks and asks for a redelivery
 * of each failed one Switchyard has not stored.
 */

export type HookTarget =
  | { kind: "repo"; owner: string; repo: string; hookId: number }
  | { kind: "org"; org: string; hookId: number }
  | { kind: "app" };

export interface ReconcileOptions {
  /** Only redeliver events first delivered after this. */
  since?: Date;
  now?: Date;
  /** Look-back; GitHub's 3 days minus an hour at most. */
  windowMs?: number;
  /** Leave a GUID alone while a redelivery of it is this recent (default 10 minutes). */
  pendingMs?: number;
  /** Plan only: `redelivered` lists what would be redelivered, nothing is posted. */
  dryRun?: boolean;
}

export interface ReconcileReport {
  /** Delivery attempts listed, all targets. */
  listed: number;
  /** GUIDs with a failed attempt; each ends in exactly one of redelivered, skipped or errors. */
  failed: number;
  /** Failed GUIDs Switchyard has stored anyway. */
  stored: number;
  redelivered: string[];
  skipped: { guid: string; reason: SkipReason }[];
  errors: { guid: string; message: string }[];
}

type Listed = DeliveryAttempt & { target: HookTarget };
type Item = Omit<DeliveryAttempt, "id"> & { id: number | bigint };

const MAX_PER_PAGE = 100;
const noop = () => {};
/** Octokit logs each failed request; here they surface in the report or as a thrown Error instead. */
const log = { debug: noop, info: noop, warn: console.warn.bind(console), error: noop };

/** Octokit with GitHub's rate limits honoured (Retry-After, x-ratelimit-*) and server errors retried. */
const Throttled = Octokit.plugin(throttling, retry);

export interface GithubClientOptions {
  token?: string;
  appId?: string;
  privateKey?: string;
  baseUrl?: string;
  /** With App credentials: act as this installation (reading a repository) rather than as the App itself. */
  installationId?: number;
  /**
   * Rate limits waited out and failed requests retried (plugin-throttling, plugin-retry): the history
   * import's reads. Without it a request fails at once (the reconciler reports it and tries next pass).
   */
  limits?: { throttle: ThrottlingOptions; retries?: number; retryAfterBaseMs?: number };
}

/** A client for a token, or for App credentials (the App's own hook needs its JWT, which auth-app signs). */
export function githubClient(o: GithubClientOptions): Octokit {
  const base = {
    log,
    ...(o.baseUrl ? { baseUrl: o.baseUrl.replace(/\/+$/, "") } : {}),
    ...(o.limits
      ? {
          throttle: o.limits.throttle,
          // Only what is set: the plugin's Object.assign would let an undefined replace its default.
          retry: {
            // Rate limits (403, 429) are the throttling plugin's, which reads their headers; the rest as the plugin's default.
            doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
            ...(o.limits.retries !== undefined ? { retries: o.limits.retries } : {}),
            ...(o.limits.retryAfterBaseMs !== undefined ? { retryAfterBaseValue: o.limits.retryAfterBaseMs } : {}),
          },
        }
      : {}),
  };
  const Client = o.limits ? Throttled : Octokit;
  if (o.appId || o.privateKey) {
    if (!o.appId || !o.privateKey) throw new Error("GitHub App credentials need both an app id and a private key");
    const auth = {
      appId: o.appId,
      privateKey: o.privateKey,
      ...(o.installationId ? { installationId: o.installationId } : {}),
    };
    return new Client({ ...base, authStrategy: createAppAuth, auth });
  }
  if (o.token) return new Client({ ...base, auth: o.token });
  throw new Error("GitHub reconciliation needs a token, or a GitHub App id and private key");
}

/** Parses `owner/repo:123,org:acme:456,app` (the GITHUB_RECONCILE_HOOKS setting) into targets. */
export function parseHookTargets(spec: string): HookTarget[] {
  const hookId = (s: string, item: string) => {
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`GITHUB_RECONCILE_HOOKS: bad hook id in "${item}"`);
    return n;
  };
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item): HookTarget => {
      if (item === "app") return { kind: "app" };
      const org = /^org:([\w.-]+):(\d+)$/.exec(item);
      if (org) return { kind: "org", org: org[1]!, hookId: hookId(org[2]!, item) };
      const repo = /^([\w.-]+)\/([\w.-]+):(\d+)$/.exec(item);
      if (repo) return { kind: "repo", owner: repo[1]!, repo: repo[2]!, hookId: hookId(repo[3]!, item) };
      throw new Error(
        `GITHUB_RECONCILE_HOOKS: cannot read "${item}"; expected owner/repo:HOOK_ID, org:ORG:HOOK_ID or app`,
      );
    });
}

const label = (t: HookTarget) =>
  t.kind === "repo"
    ? `${t.owner}/${t.repo} hook ${t.hookId}`
    : t.kind === "org"
      ? `org ${t.org} hook ${t.hookId}`
      : "the app hook";

/** Pages follow the Link header's `rel="next"` URL, which carries GitHub's `cursor` (paginate.iterator does that). */
function pages(octokit: Octokit, t: HookTarget): AsyncIterable<{ data: Item[] }> {
  const per_page = MAX_PER_PAGE;
  if (t.kind === "repo") {
    const p = { owner: t.owner, repo: t.repo, hook_id: t.hookId, per_page };
    return octokit.paginate.iterator(octokit.rest.repos.listWebhookDeliveries, p);
  }
  if (t.kind === "org") {
    const p = { org: t.org, hook_id: t.hookId, per_page };
    return octokit.paginate.iterator(octokit.rest.orgs.listWebhookDeliveries, p);
  }
  return octokit.paginate.iterator(octokit.rest.apps.listWebhookDeliveries, { per_page });
}

async function redeliver(octokit: Octokit, t: HookTarget, delivery_id: number): Promise<void> {
  if (t.kind === "repo") {
    await octokit.rest.repos.redeliverWebhookDelivery({ owner: t.owner, repo: t.repo, hook_id: t.hookId, delivery_id });
  } else if (t.kind === "org") {
    await octokit.rest.orgs.redeliverWebhookDelivery({ org: t.org, hook_id: t.hookId, delivery_id });
  } else {
    await octokit.rest.apps.redeliverWebhookDelivery({ delivery_id });
  }
}

const errorMessage = (err: unknown) => {
  const status = (err as { status?: unknown }).status;
  const message = err instanceof Error ? err.message : String(err);
  return typeof status === "number" ? `${status} ${message}` : message;
};

/** `isStored(guids)` returns the subset Switchyard has stored (the caller queries raw_deliveries). */
export async function reconcileGithub(
  octokit: Octokit,
  targets: HookTarget[],
  isStored: (guids: string[]) => Promise<Set<string>>,
  o: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const now = o.now ?? new Date();
  const cutoff = now.getTime() - (o.windowMs ?? GITHUB_WINDOW_MS);
  const listed: Listed[] = [];
  for (const target of targets) {
    try {
      for await (const page of pages(octokit, target)) {
        for (const d of page.data) listed.push({ ...d, id: Number(d.id), target });
        // Newest first: once a page reaches past the window, later pages are older still.
        if (page.data.some((d) => Date.parse(d.delivered_at) < cutoff)) break;
      }
    } catch (err) {
      // A target that cannot be listed is a configuration problem (hook id, token scope): say which.
      throw new Error(`listing deliveries of ${label(target)} failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  // GUIDs are shared by every hook delivering the event, so the plan runs across all targets.
  const candidates = unsucceededGuids(listed);
  const stored = candidates.length ? await isStored(candidates) : new Set<string>();
  const plan = planRedeliveries(listed, stored, { now, since: o.since, windowMs: o.windowMs, pendingMs: o.pendingMs });
  const report: ReconcileReport = {
    listed: listed.length,
    failed: plan.failed,
    stored: plan.stored,
    redelivered: [],
    skipped: plan.skipped,
    errors: [],
  };
  for (const d of plan.redeliver) {
    try {
      if (!o.dryRun) await redeliver(octokit, d.target, d.id);
      report.redelivered.push(d.guid);
    } catch (err) {
      // 404 (gone) or 422 (too old, already queued) for one delivery must not stop the others.
      report.errors.push({ guid: d.guid, message: errorMessage(err) });
    }
  }
  return report;
}
