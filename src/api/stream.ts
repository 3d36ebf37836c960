import type { Readable } from "node:stream";
import Router from "@koa/router";
import { createRouter } from "../http/router.js";
import type { Context } from "koa";
import { z } from "zod";
import type { StreamHub } from "../outbound/stream/hub.js";
import type { StreamSlots } from "../outbound/stream/slots.js";
import { compileStreamFilter } from "../outbound/stream/filter.js";
import { sseComment, sseRetry } from "../outbound/stream/sse.js";
import { PLATFORMS } from "../shared/event.js";
import { RETRY_AFTER_SECONDS } from "../http/errors.js";
import { route } from "./openapi.js";
import { badRequest } from "../http/respond.js";
import { entityKey, name, typeGlob, uuid, valid } from "./params.js";

const MAX_TYPES = 50;

/** `deploy.*,issue.shipped`: blanks dropped, each a type glob. */
const typeList = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  )
  .pipe(z.array(typeGlob).max(MAX_TYPES, `at most ${MAX_TYPES} globs`));

export const streamQuery = z.object({
  types: typeList.optional().meta({ description: "comma-separated type globs (`deploy.*,issue.shipped`)" }),
  platform: z.enum(PLATFORMS).optional(),
  subject: entityKey.optional().meta({ description: "entity key the messages are about" }),
  "where.environment": name.optional().meta({ description: "environment glob, case-insensitive" }),
  "where.repository": name.optional().meta({ description: "`owner/repo` glob, case-insensitive" }),
  "where.platform": name.optional().meta({ description: "platform glob" }),
  after: uuid.optional().meta({ description: "resume after this message id (the `Last-Event-ID` header wins)" }),
});

/** The stream's filter from its query (shared with the WebSocket, api/stream-socket.ts). */
export const filterOf = (q: z.output<typeof streamQuery>) =>
  compileStreamFilter({
    types: q.types,
    platform: q.platform,
    subject: q.subject,
    where: {
      environment: q["where.environment"],
      repository: q["where.repository"],
      platform: q["where.platform"],
    },
  });

/** The reconnection delay told to clients. */
const RETRY_MS = 2000;
/** How long an ended stream's connection may take to flush before it is cut. */
const CLOSE_GRACE_MS = 1000;

/** The token a stream counts against: its id from the bearer check. */
const tokenOf = (ctx: Context): string => {
  const id: unknown = ctx.state.tokenId;
  return typeof id === "string" && id ? id : "anonymous";
};

const DESCRIPTION = `Server-Sent Events: each message has \`id\` (the event or milestone id), \`event\` (its type)
and \`data\` (the unified event without \`payload\`, or the milestone).

A \`Last-Event-ID\` header (or \`after\`) resumes after that message from stored history, then live, with nothing
lost or repeated; an id not relayed (yet) starts from now with a comment saying so, a malformed one is a 400.
Without either, the stream starts from now. A \`: keep-alive\` comment comes every STREAM_HEARTBEAT_MS; a client
too slow to keep up has its stream ended and resumes with \`Last-Event-ID\`. A process serves at most
STREAM_MAX_CLIENTS streams, STREAM_MAX_CLIENTS_PER_TOKEN of them for one token: beyond, a 503.

\`data\` carries the message envelope's \`version\`, \`correlationId\` and \`causationId\` besides its own fields.
With \`Upgrade: websocket\` the same path serves the stream as a WebSocket, with the same filters and limits
(docs/outbound.md, "WebSocket stream").`;

/** The resume point: the `Last-Event-ID` header (what EventSource sends on reconnecting) over `?after=`. */
function resumeId(ctx: Context, after: string | undefined): { id?: string; error?: string } {
  const header = ctx.get("Last-Event-ID").trim();
  if (!header) return { id: after };
  if (!uuid.safeParse(header).success) return { error: "Last-Event-ID: must be the id of a message of this stream" };
  return { id: header.toLowerCase() };
}

/**
 * GET /api/stream (contract §10). `slots`: the process's cap on live streams, shared with any other
 * live endpoint (a WebSocket).
 */
export function streamApi(hub: StreamHub, slots: StreamSlots): Router {
  const router = createRouter();
  const retry = sseRetry(RETRY_MS);

  const doc = {
    summary: "Live stream of events and milestones (Server-Sent Events)",
    description: DESCRIPTION,
    query: streamQuery,
    responses: {
      200: {
        description: "`text/event-stream`, open until the client or the server ends it",
        contentType: "text/event-stream",
        schema: z.string().meta({ description: "Server-Sent Events frames (`id`, `event`, `data`)" }),
      },
      400: "invalid query or malformed `Last-Event-ID`",
      503:
        "too many live streams (in all: STREAM_MAX_CLIENTS; for this token: STREAM_MAX_CLIENTS_PER_TOKEN, " +
        "the limit named in `error`), shutting down, or PostgreSQL unreachable to resume: " +
        "retry after `Retry-After` seconds",
    },
  };
  route(router, "get", "/stream", doc, async (ctx) => {
    const q = valid(ctx, streamQuery, ctx.query);
    if (!q) return;
    const resume = resumeId(ctx, q.after);
    if (resume.error) return badRequest(ctx, [resume.error]);
    // A slot before anything is read or sent; given back when the connection goes, or here on any other answer.
    const slot = slots.take(tokenOf(ctx));
    if (!slot.ok) return unavailable(ctx, slot.error);
    let handedOn = false;
    try {
      const after = resume.id ? await hub.positionOf(resume.id) : null;
      const note =
        resume.id && after === null ? sseComment(`${resume.id} is not in the stream (yet): live from now`) : "";
      const matches = filterOf(q);
      const stream = await hub.open({ after, matches, prologue: retry + note });
      if (!stream) return unavailable(ctx, "shutting down");
      send(ctx, stream, slot.release);
      handedOn = true;
    } finally {
      if (!handedOn) slot.release();
    }
  });

  /** Pipes the stream to the client; the slot is released once its connection is gone. */
  function send(ctx: Context, stream: Readable, release: () => void) {
    ctx.res.once("close", release);
    // The request is in; the answer may last for days. Node's request timeout bounds only receiving.
    ctx.req.socket.setTimeout(0);
    ctx.set({
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      "X-Accel-Buffering": "no",
      // An ended stream is not followed by another request on its connection: closing it lets shutdown finish at once.
      Connection: "close",
    });
    ctx.compress = false; // for a compression middleware, should one be added: it would hold frames back
    // Piped here rather than by Koa: Koa reports a client going away (every stream's end) as an error.
    ctx.status = 200;
    ctx.respond = false;
    stream.pipe(ctx.res);
    ctx.res.once("close", () => stream.destroy());
    // Gone while the stream was being opened: its 'close' has already been emitted.
    if (ctx.res.destroyed || ctx.req.socket.destroyed) {
      stream.destroy();
      release();
    }
    // Cut by the hub (a client that stopped reading, at shutdown): the connection goes with it; ended,
    // it has a grace to flush, so a client that reads nothing does not keep it (and its buffers, its slot).
    stream.once("close", () => {
      if (!ctx.res.writableEnded) return void ctx.res.destroy();
      if (ctx.res.writableFinished) return;
      const cut = setTimeout(() => ctx.res.destroy(), CLOSE_GRACE_MS);
      cut.unref();
      ctx.res.once("close", () => clearTimeout(cut));
    });
  }

  return router;
}

/** 503 with Retry-After, before any stream header. */
function unavailable(ctx: Context, error: string) {
  ctx.status = 503;
  ctx.set("Retry-After", String(RETRY_AFTER_SECONDS));
  ctx.body = { error };
}
