import { createHash, timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Bearer-token guard for /api. Tokens are compared as SHA-256 digests with timingSafeEqual, so
 * neither the token nor its length leaks through timing; several tokens allow rotation.
 */
export function requireBearer(tokens: string[]): Middleware {
  const known = tokens.map(digest);
  return async (ctx, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get("authorization"));
    const given = match ? digest(match[1]!) : null;
    let ok = false;
    for (const k of known) if (given && timingSafeEqual(k, given)) ok = true;
    if (!ok) {
      ctx.status = 401;
      ctx.set("WWW-Authenticate", 'Bearer realm="switchyard"');
      ctx.body = { error: known.length ? "missing or invalid bearer token" : "API_TOKENS is not configured" };
      return;
    }
    await next();
  };
}
