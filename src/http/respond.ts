import type { Context } from "koa";
import type { z } from "zod";

/** 400 with every problem of a query or body, `field: message`. */
export function badRequest(ctx: Context, error: z.ZodError | string[], status = 400): void {
  const problems = Array.isArray(error)
    ? error
    : error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
  ctx.status = status;
  ctx.body = { error: problems.join("; "), problems };
}

export function notFound(ctx: Context, what: string): void {
  ctx.status = 404;
  ctx.body = { error: `no such ${what}` };
}

/** 409: the request is valid but the resource's state refuses it (exists, disabled, pending). */
export function conflict(ctx: Context, error: string): void {
  ctx.status = 409;
  ctx.body = { error };
}
