import { createServer, STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type Koa from "koa";
import type { Config } from "../shared/config.js";

type Timeouts = Pick<Config, "HTTP_REQUEST_TIMEOUT_MS" | "HTTP_HEADERS_TIMEOUT_MS" | "HTTP_KEEP_ALIVE_TIMEOUT_MS">;

/** Where upgrade requests go (the WebSocket stream, api/stream-socket.ts). */
export interface Upgrades {
  /** Whether it takes this upgrade; any other stays an ordinary request (Node 24.9+). */
  wants(req: IncomingMessage): boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * The HTTP server with bounded time per request: a request (headers and body) not received within
 * HTTP_REQUEST_TIMEOUT_MS is cut with 408, its headers within HTTP_HEADERS_TIMEOUT_MS. Node checks
 * these every `connectionsCheckingInterval` (30 s by default, too coarse for a 30 s bound).
 */
export function createHttpServer(app: Koa, config: Timeouts, upgrades?: Upgrades): Server {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  // Node refuses a headers timeout above the request timeout.
  const headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, requestTimeout);
  const server = createServer(
    {
      requestTimeout,
      headersTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeout / 4)),
      ...(upgrades ? { shouldUpgradeCallback: (req: IncomingMessage) => upgrades.wants(req) } : {}),
    },
    app.callback(),
  );
  if (upgrades) {
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Upgraded, the connection may last for days: Node's timeouts bound receiving a request only.
      if ("setTimeout" in socket) (socket as { setTimeout(ms: number): void }).setTimeout(0);
      upgrades.upgrade(req, socket, head);
    });
  }
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  server.on("clientError", answerClientError);
  return server;
}

/**
 * What Node's parser refuses (bad syntax, headers over 16 KiB, a timeout) answered as JSON like
 * every other error, instead of Node's bare status line; a reset connection is just closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (err.code === "ECONNRESET" || !socket.writable || started) {
    socket.destroy();
    return;
  }
  const [status, error] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "request headers too large"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request not received in time"]
        : [400, "malformed HTTP request"];
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      "X-Content-Type-Options: nosniff\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.once("finish", () => socket.destroy());
}
