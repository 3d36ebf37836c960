import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Middleware } from "koa";
import type { ApiToken, Scope } from "../shared/api-tokens.js";
import type { AuthThrottle } from "./auth-throttle.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * A short id of a token, safe to log and to key limits on: the first 12 hex digits of its SHA-256
 * (a token has at least 32 characters, so the id tells nothing usable about it).
 */
export const tokenId = (token: string): string => digest(token).toString("hex").slice(0, 12);

/**
 * The token among `tokens` that `given` is, or null. Compared as SHA-256 digests with
 * timingSafeEqual, every token each time, so neither a token nor its length leaks through timing;
 * several tokens allow rotation.
 */
export function tokenMatcher(tokens: ApiToken[]): (given: string | null) => (ApiToken & { id: string }) | null {
  const known = tokens.map((t) => ({ digest: digest(t.secret), token: { ...t, id: tokenId(t.secret) } }));
  return (given) => {
    const presented = given === null ? null : digest(given);
    let found: (ApiToken & { id: string }) | null = null;
    for (const k of known) if (presented && timingSafeEqual(k.digest, presented)) found = k.token;
    return found;
  };
}

/** The credential of a `Bearer` Authorization header, or null. */
export function bearerToken(header: string): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}

/** The password of an HTTP Basic `Authorization` header (any user name), or null. */
export function basicPassword(header: string | undefined): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? "");
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : decoded.slice(colon + 1);
}

export interface Guard {
  /** How a credential is read from the request (Bearer for the API, Basic for the board). */
  credential: (ctx: Context) => string | null;
  /** The challenge of a 401 and what it says. */
  challenge: string;
  refusal: string;
}

/**
 * A guard over the API tokens: 401 with a challenge for a missing or unknown credential, 429 with
 * Retry-After for a client that failed too often (ctx.ip: the nearest proxy's view, see app.ts).
 * On success `ctx.state` holds the token's `tokenId` (limits per token key on it), `tokenName` (if named)
 * and `scopes` (undefined: unscoped, full access) for requireScope.
 */
export function requireToken(tokens: ApiToken[], throttle: AuthThrottle, guard: Guard): Middleware {
  const matches = tokenMatcher(tokens);
  const refuse = (ctx: Context, retryAfter: number) => {
    if (retryAfter) {
      ctx.status = 429;
      ctx.set("Retry-After", String(retryAfter));
      ctx.body = { error: "too many failed authentication attempts from this client; retry later" };
      return;
    }
    ctx.status = 401;
    ctx.set("WWW-Authenticate", guard.challenge);
    ctx.body = { error: tokens.length ? guard.refusal : "API_TOKENS is not configured" };
  };
  return async (ctx, next) => {
    const held = await throttle.retryAfter(ctx.ip);
    if (held) return refuse(ctx, held);
    const token = matches(guard.credential(ctx));
    if (!token) return refuse(ctx, await throttle.failed(ctx.ip));
    ctx.state.tokenId = token.id;
    ctx.state.tokenName = token.name;
    ctx.state.scopes = token.scopes;
    await next();
  };
}

/** The bearer guard of /api. */
export const bearerGuard: Guard = {
  credential: (ctx) => bearerToken(ctx.get("authorization")),
  challenge: 'Bearer realm="switchyard"',
  refusal: "missing or invalid bearer token",
};

/** The Basic guard of /admin (any user name, an API token as the password). */
export const basicGuard: Guard = {
  credential: (ctx) => basicPassword(ctx.get("authorization")),
  challenge: 'Basic realm="switchyard"',
  refusal: "an API token is the password",
};

/** What an API token may do (issue 18): shared/api-tokens.ts, where API_TOKENS is parsed. */
export { SCOPES, type Scope } from "../shared/api-tokens.js";

/** Whether a token holding `held` (undefined: unscoped) may act with `scope`; `admin` holds every scope. */
export const allows = (held: readonly Scope[] | undefined, scope: Scope): boolean =>
  held === undefined || held.includes("admin") || held.includes(scope);

/** What a route needs: a scope, or `any` for what every valid token may do (say who it is). */
export type RouteScope = Scope | "any";

/**
 * 403 naming the scope when the request's token (`ctx.state.scopes`, set by the guard) lacks it.
 * Routes call it before doing anything.
 */
export function requireScope(scope: RouteScope): Middleware {
  return async (ctx, next) => {
    if (scope !== "any" && !allows(ctx.state.scopes as Scope[] | undefined, scope)) {
      ctx.status = 403;
      ctx.body = { error: `this token lacks the ${scope} scope` };
      return;
    }
    await next();
  };
}
