import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { bearerToken } from "../http/auth.js";
import { BEARER_PROTOCOL_PREFIX } from "../outbound/stream/ws.js";
import { streamQuery } from "./stream.js";

/**
 * What a WebSocket stream request says (docs/outbound.md, "WebSocket stream"), read at the edge:
 * the path, the token (a `bearer.<token>` subprotocol or an Authorization header, never the URL),
 * the filters as GET /api/stream's, and the first message of a client that authenticates in it.
 */

export const STREAM_PATH = "/api/stream";

/** The exact path (as the router matches it) and a WebSocket upgrade: only these leave HTTP. */
export function isStreamUpgrade(req: IncomingMessage): boolean {
  const path = (req.url ?? "").split("?", 1)[0];
  return req.method === "GET" && path === STREAM_PATH && (req.headers.upgrade ?? "").toLowerCase() === "websocket";
}

/** The query string as Koa reads it (a repeated key: an array). */
export function queryOf(req: IncomingMessage): Record<string, string | string[]> {
  const search = new URL(req.url ?? "/", "http://localhost").searchParams;
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of search) {
    const had = query[key];
    query[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return query;
}

/** Query keys that would carry a credential: refused, so no token lands in access logs or browser history. */
const URL_CREDENTIALS = ["token", "access_token", "bearer", "authorization"];

export const urlCredential = (query: Record<string, unknown>): string | undefined =>
  Object.keys(query).find((k) => URL_CREDENTIALS.includes(k.toLowerCase()));

/** Where to resume: a message id (as SSE's `after`) or a position, as each WebSocket item carries. */
export const resumeAfter = z
  .string()
  .refine((s) => z.uuid().safeParse(s).success || /^\d{1,19}$/.test(s), "must be a message id (UUID) or a position")
  .transform((s) => s.toLowerCase());

export const socketQuery = streamQuery.extend({
  after: resumeAfter.optional(),
});
export type SocketQuery = z.output<typeof socketQuery>;

/** The first message of a client that did not send its token with the request. */
export const authMessage = z.object({
  type: z.literal("auth"),
  token: z.string().min(1).max(1024),
  after: resumeAfter.optional(),
});

/** The token a request offers: a `bearer.<token>` subprotocol, else an Authorization Bearer header; else null. */
export function offeredToken(req: IncomingMessage): string | null {
  const protocols = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  const bearer = protocols.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  if (bearer) return bearer.slice(BEARER_PROTOCOL_PREFIX.length);
  return bearerToken(req.headers.authorization ?? "");
}

/**
 * The client's address as Koa's `ctx.ip` reads it in app.ts (proxy trusted, one hop): the last
 * X-Forwarded-For entry, else the peer. Failed authentications count against it, as the API's do.
 */
export function clientIp(req: IncomingMessage): string {
  const forwarded = req.headers["x-forwarded-for"];
  const list = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? ""))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return list.at(-1) ?? req.socket.remoteAddress ?? "";
}

/** The zod problems as the API's 400 lists them. */
export const problemsOf = (error: z.ZodError) => error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
