import type Router from "@koa/router";
import { allows } from "../http/auth.js";
import { createRouter } from "../http/router.js";
import { SCOPES, type Scope } from "../shared/api-tokens.js";
import { route } from "./openapi.js";
import { TokenSchema } from "./schemas/token.js";

/** What a token holding `held` (undefined: unscoped) may do, scope by scope. */
export const capabilities = (held: readonly Scope[] | undefined) =>
  Object.fromEntries(SCOPES.map((s) => [s, allows(held, s)])) as Record<Scope, boolean>;

/** GET /api/token: who the caller is and what it may do, so a client (the console) offers only that. */
export function tokenApi(): Router {
  const router = createRouter();
  const doc = {
    summary: "The token of this request: its name and scopes (never its secret)",
    // Any valid token may ask, a `publish`-only one too.
    scope: "any" as const,
    responses: { 200: { description: "the token and what it may do", schema: TokenSchema } },
  };
  route(router, "get", "/token", doc, (ctx) => {
    const scopes = ctx.state.scopes as Scope[] | undefined;
    ctx.set("Cache-Control", "no-store");
    ctx.body = {
      id: ctx.state.tokenId as string,
      name: (ctx.state.tokenName as string | undefined) ?? null,
      scopes: scopes ?? null,
      can: capabilities(scopes),
    };
  });
  return router;
}
