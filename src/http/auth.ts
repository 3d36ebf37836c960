import { createHash, timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Whether a presented credential is one of `tokens`. Compared as SHA-256 digests with
 * timingSafeEqual, every token each time, so neither a token nor its length leaks through timing;
 * several tokens allow rotation.
 */
export function tokenMatcher(tokens: string[]): (given: string | null) => boolean {
  const known = tokens.map(digest);
  return (given) => {
    const presented = given === null ? null : digest(given);
    let ok = false;
    for (const k of known) if (presented && timingSafeEqual(k, presented)) ok = true;
    return ok;
  };
}

/** Bearer-token guard for /api. */
export function requireBearer(tokens: string[]): Middleware {
  const matches = tokenMatcher(tokens);
  return async (ctx, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get("authorization"));
    if (!matches(match ? match[1]! : null)) {
      ctx.status = 401;
      ctx.set("WWW-Authenticate", 'Bearer realm="switchyard"');
      ctx.body = { error: tokens.length ? "missing or invalid bearer token" : "API_TOKENS is not configured" };
      return;
    }
    await next();
  };
}
