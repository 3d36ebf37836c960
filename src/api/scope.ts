import type { Context } from "koa";
import type pg from "pg";
import { notFound } from "../http/respond.js";
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
