import type { Context } from "koa";
import type pg from "pg";
import { badRequest, notFound } from "../http/respond.js";
import { FIRST_DATE, isoDate, name, repository } from "./params.js";
import { GroupNotFound, type Scope, scopeRepositories } from "../store/groups.js";

/**
 * `fn`'s answer over a scope (a repository or a group), or a 404 when the group does not exist:
 * the metrics that take `?repository=|group=` share it.
 */
export async function withScope<T>(ctx: Context, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof GroupNotFound)) throw err;
    notFound(ctx, "group");
    return undefined;
  }
}

/** The repositories and services of a scope, or undefined once a 404 is answered for an unknown group. */
export const scopeOf = (ctx: Context, pool: pg.Pool, scope: Scope) =>
  withScope(ctx, () => scopeRepositories(pool, scope));

/** The query DORA and lead time share: a repository or a group, an environment, a window. */
export const metricsQuery = {
  repository: repository.optional().meta({ description: "one repository (or `group`)" }),
  group: name.optional().meta({ description: "a group's repositories and services (or `repository`)" }),
  environment: name.optional().meta({ description: "one environment; without it, PRODUCTION_ENVIRONMENTS" }),
  since: isoDate.optional().meta({ description: "default: 30 days before until" }),
  until: isoDate.optional().meta({ description: "default: now" }),
};

const DEFAULT_WINDOW_MS = 30 * 86_400_000;

/**
 * The metrics' window: `until` (default now) and `since` (default 30 days before it, but never
 * before year 1, which PostgreSQL refuses); undefined once a 400 is answered for an empty window.
 */
export function windowOf(ctx: Context, q: { since?: Date; until?: Date }): { since: Date; until: Date } | undefined {
  const until = q.until ?? new Date();
  const since = q.since ?? new Date(Math.max(until.getTime() - DEFAULT_WINDOW_MS, FIRST_DATE.getTime()));
  if (since < until) return { since, until };
  badRequest(ctx, ["since: must be before until"]);
  return undefined;
}
