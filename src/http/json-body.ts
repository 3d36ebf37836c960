import { bodyParser } from "@koa/bodyparser";
import type { Context, Middleware } from "koa";
import { bodyErrorStatus } from "./errors.js";
import { badRequest } from "./respond.js";

/** Text PostgreSQL can store: no NUL, no lone surrogate (its UTF-8 would not be valid). */
const storableText = (s: string): boolean => !s.includes("\u0000") && s.isWellFormed();

/** Deeper than any body the API takes; recursive code (zod, JSON.stringify) must never meet a deeper one. */
export const MAX_JSON_DEPTH = 64;
const JSON_TYPES = ["application/json", "application/*+json"];
const PARSED = new Set(["POST", "PUT", "PATCH"]);

/** Why a parsed body cannot be taken, or null: too deep, or holding text PostgreSQL cannot store. */
export function jsonBodyProblem(body: unknown): string | null {
  // Iterative, so a deep body cannot overflow the stack here either.
  const stack: Array<[unknown, number]> = [[body, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value === "string") {
      if (!storableText(value)) return "body: text must not contain NUL characters or lone surrogates";
    } else if (value && typeof value === "object") {
      if (depth >= MAX_JSON_DEPTH) return `body: nested deeper than ${MAX_JSON_DEPTH} levels`;
      for (const [k, v] of Object.entries(value)) {
        if (!storableText(k)) return "body: keys must not contain NUL characters or lone surrogates";
        stack.push([v, depth + 1]);
      }
    }
  }
  return null;
}

const hasBody = (ctx: Context) =>
  ctx.req.headers["transfer-encoding"] !== undefined || Number(ctx.req.headers["content-length"] ?? 0) > 0;

function refuse(ctx: Context, status: number, error: string) {
  ctx.status = status;
  ctx.body = { error };
  // Whatever is left of the body is not read: http/app.ts closes the connection.
}

/**
 * JSON request bodies for /api (contract §2: bad input gets a clear 4xx): a body must be declared JSON
 * (else 415), fit `limit` (else 413), parse (else 400, gzip and deflate included), and be storable
 * (else 400). Requests without a body, and methods without one, pass through.
 */
export function jsonBody(limit: string): Middleware {
  // The type is checked here, so the parser takes every body it sees as JSON.
  const parse = bodyParser({ enableTypes: ["json"], jsonLimit: limit, detectJSON: () => true });
  const messages: Record<number, string> = {
    400: "malformed JSON body",
    413: `request body over ${limit}`,
    415: "unsupported Content-Encoding or charset",
  };
  return async (ctx, next) => {
    if (PARSED.has(ctx.method) && hasBody(ctx) && !ctx.request.is(JSON_TYPES)) {
      return refuse(ctx, 415, "Content-Type must be application/json");
    }
    let parsed = false;
    try {
      await parse(ctx, async () => {
        parsed = true;
      });
    } catch (err) {
      const status = bodyErrorStatus(err);
      if (status === null) throw err;
      return refuse(ctx, status, messages[status] ?? "unreadable request body");
    }
    if (!parsed) return; // the parser answered itself: the client had gone
    const problem = ctx.request.body === undefined ? null : jsonBodyProblem(ctx.request.body);
    if (problem) return badRequest(ctx, [problem]);
    await next();
  };
}
