import { STATUS_CODES, type IncomingMessage } from "node:http";
import { Writable, type Duplex, type Readable } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { Logger } from "../shared/log.js";
import type { AuthThrottle } from "../http/auth-throttle.js";
import { allows, type Scope } from "../http/auth.js";
import { RETRY_AFTER_SECONDS } from "../http/errors.js";
import type { StreamHub } from "../outbound/stream/hub.js";
import type { StreamSlots } from "../outbound/stream/slots.js";
import { CLOSE, closeFor, readyMessage, WS, WS_PROTOCOL } from "../outbound/stream/ws.js";
import { filterOf } from "./stream.js";
import {
  authMessage,
  clientIp,
  isStreamUpgrade,
  offeredToken,
  problemsOf,
  queryOf,
  socketQuery,
  urlCredential,
  type SocketQuery,
} from "./stream-socket-request.js";

/**
 * GET /api/stream with `Upgrade: websocket` (docs/outbound.md, "WebSocket stream"): the live stream
 * of GET /api/stream (same hub, filters, resume, slots and byte bound) as one JSON message per item.
 * It lives beside Koa, on the HTTP server's `upgrade`: a WebSocket leaves HTTP before any middleware
 * could answer, so this authenticates the way the API's guard does (same tokens, same throttle).
 */

/** Who a token is; `scopes` undefined: an unscoped token (http/auth.ts). */
export interface SocketIdentity {
  id: string;
  scopes?: readonly Scope[];
}

export interface StreamSocketDeps {
  hub: StreamHub;
  slots: StreamSlots;
  throttle: AuthThrottle;
  /** The API token's identity, or null for an unknown one. */
  authenticate(token: string): SocketIdentity | null;
  /** Whether API_TOKENS names any token (the 401 says so when not). */
  tokensConfigured: boolean;
  /** A ping every beat; a client that has not answered the last one is cut (STREAM_HEARTBEAT_MS). */
  heartbeatMs: number;
  log: Logger;
  /** How long a client without a token in its request has to send `{"type":"auth",…}`. */
  authTimeoutMs?: number;
  /** How long a closing socket has to finish the close handshake before it is cut. */
  closeGraceMs?: number;
}

/** What the HTTP server hands upgrade requests to (http/server.ts). */
export interface UpgradeEndpoint {
  /** Whether a request is this endpoint's upgrade; any other stays an ordinary HTTP request. */
  wants(req: IncomingMessage): boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket (1001), cut after the grace. */
  close(): Promise<void>;
}

/** A WebSocket close reason holds at most 123 bytes. */
const reasonText = (s: string) =>
  Buffer.byteLength(s) <= 123 ? s : `${Buffer.from(s).subarray(0, 120).toString()}...`;

/** An HTTP answer on a socket not upgraded (JSON like every API error), then closed. */
function refuse(socket: Duplex, status: number, body: object, headers: Record<string, string> = {}) {
  if (!socket.writable) return void socket.destroy();
  const text = JSON.stringify(body);
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n${extra}` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
  socket.once("finish", () => socket.destroy());
}

/** Where a client resumes: a message id or a position (the latter checked against the last relayed). */
async function resumePoint(
  hub: StreamHub,
  after: string | undefined,
): Promise<{ after: bigint | null; notice?: string }> {
  if (after === undefined) return { after: null };
  const known = /^\d+$/.test(after)
    ? await hub.lastPosition().then((last) => (BigInt(after) <= last ? BigInt(after) : null))
    : await hub.positionOf(after);
  return known === null
    ? { after: null, notice: `${after} is not in the stream (yet): live from now` }
    : { after: known };
}

export function streamSocket(deps: StreamSocketDeps): UpgradeEndpoint {
  const { hub, slots, throttle, log } = deps;
  const authTimeoutMs = deps.authTimeoutMs ?? 5000;
  const closeGraceMs = deps.closeGraceMs ?? 5000;
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    // A client sends one small auth message at most.
    maxPayload: 16 * 1024,
    // The token offered as `bearer.<token>` is never echoed back.
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  /** Open sockets, and whether each answered the last ping. */
  const sockets = new Map<WebSocket, { alive: boolean }>();
  let closed = false;

  const beat = setInterval(() => {
    for (const [ws, state] of sockets) {
      if (!state.alive) ws.terminate();
      else {
        state.alive = false;
        ws.ping();
      }
    }
  }, deps.heartbeatMs);
  beat.unref();

  /** Closes with a code and reason; a peer that does not complete the handshake is cut after the grace. */
  function closeSocket(ws: WebSocket, code: number, reason: string) {
    if (ws.readyState === WebSocket.CLOSED) return;
    if (ws.readyState === WebSocket.OPEN) ws.close(code, reasonText(reason));
    const cut = setTimeout(() => ws.terminate(), closeGraceMs);
    cut.unref();
    ws.once("close", () => clearTimeout(cut));
  }

  /** 401 (or 429 once the client failed too often) for a token that is not one, counted by the throttle. */
  async function failed(ip: string): Promise<{ status: number; code: number; error: string; retryAfter: number }> {
    const retryAfter = await throttle.failed(ip);
    if (retryAfter) {
      const error = "too many failed authentication attempts from this client; retry later";
      return { status: 429, code: CLOSE.throttled, error, retryAfter };
    }
    const error = deps.tokensConfigured ? "missing or invalid bearer token" : "API_TOKENS is not configured";
    return { status: 401, code: CLOSE.unauthorized, error, retryAfter: 0 };
  }

  /** Subscribes an accepted, authenticated socket: the hub's frames piped to it, one message each. */
  async function subscribe(ws: WebSocket, q: SocketQuery, after: string | undefined) {
    let stream: Readable | null;
    try {
      const start = await resumePoint(hub, after);
      stream = await hub.open({
        after: start.after,
        matches: filterOf(q),
        prologue: readyMessage(start.after, start.notice),
        format: WS,
        onEnd: (reason) => {
          const close = closeFor(reason);
          closeSocket(ws, close.code, close.reason);
        },
      });
    } catch (err) {
      // Where to start is read from PostgreSQL: away, the client retries (SSE answers 503).
      log.warn({ err: (err as Error).message }, "websocket stream: start position unreadable");
      return closeSocket(ws, CLOSE.unavailable, "database unreachable: retry later");
    }
    if (!stream) return closeSocket(ws, CLOSE.shutdown, "shutting down");
    pipe(stream, ws);
  }

  /** One message in flight at a time: what the socket has not taken stays in the client's bounded queue. */
  function pipe(stream: Readable, ws: WebSocket) {
    const sink = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(text: string, _encoding, done) {
        if (ws.readyState !== WebSocket.OPEN) return done();
        ws.send(text, () => done());
      },
      final(done) {
        closeSocket(ws, 1000, "end");
        done();
      },
    });
    sink.on("error", () => undefined);
    stream.pipe(sink);
    ws.once("close", () => stream.destroy());
    // Cut by the hub without being told (its grace ran out): the socket goes with it.
    stream.once("close", () => {
      if (ws.readyState === WebSocket.OPEN) ws.terminate();
    });
    if (ws.readyState !== WebSocket.OPEN) stream.destroy();
  }

  /** A client without a token in its request: its first message must be `{"type":"auth","token":…}`. */
  function awaitAuth(ws: WebSocket, ip: string, q: SocketQuery) {
    const timer = setTimeout(() => closeSocket(ws, CLOSE.unauthorized, "no auth message in time"), authTimeoutMs);
    timer.unref();
    ws.once("close", () => clearTimeout(timer));
    ws.once("message", (data: RawData, isBinary: boolean) => {
      clearTimeout(timer);
      void authenticated(ws, ip, q, isBinary ? null : String(data as Buffer)).catch((err: Error) => {
        log.warn({ err: err.message }, "websocket stream: authentication failed");
        closeSocket(ws, 1011, "internal error");
      });
    });
  }

  async function authenticated(ws: WebSocket, ip: string, q: SocketQuery, text: string | null) {
    let json: unknown = undefined;
    try {
      json = text === null ? undefined : JSON.parse(text);
    } catch {
      // refused below
    }
    const parsed = authMessage.safeParse(json);
    if (!parsed.success) {
      return closeSocket(ws, CLOSE.badRequest, `first message: ${problemsOf(parsed.error).join("; ")}`);
    }
    const held = await throttle.retryAfter(ip);
    if (held) return closeSocket(ws, CLOSE.throttled, "too many failed authentication attempts; retry later");
    const who = deps.authenticate(parsed.data.token);
    if (!who) {
      const refusal = await failed(ip);
      return closeSocket(ws, refusal.code, refusal.error);
    }
    if (!allows(who.scopes, "read")) return closeSocket(ws, CLOSE.forbidden, "this token lacks the read scope");
    if (ws.readyState !== WebSocket.OPEN) return;
    const slot = slots.take(who.id);
    if (!slot.ok) return closeSocket(ws, CLOSE.unavailable, slot.error);
    ws.once("close", slot.release);
    await subscribe(ws, q, parsed.data.after ?? q.after);
  }

  /** A socket upgraded: pinged from now on, `then` given it once the handshake is done. */
  function accept(req: IncomingMessage, socket: Duplex, head: Buffer, then: (ws: WebSocket) => void) {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const state = { alive: true };
      sockets.set(ws, state);
      ws.on("pong", () => (state.alive = true));
      ws.on("error", () => undefined);
      ws.once("close", () => sockets.delete(ws));
      if (closed) return closeSocket(ws, CLOSE.shutdown, "shutting down");
      then(ws);
    });
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on("error", () => undefined);
    // Node before 24.9 hands every upgrade here (no shouldUpgradeCallback): any other is refused.
    if (!isStreamUpgrade(req)) return refuse(socket, 400, { error: "only GET /api/stream upgrades (to a WebSocket)" });
    if (closed) return refuse(socket, 503, { error: "shutting down" }, { "Retry-After": String(RETRY_AFTER_SECONDS) });
    const ip = clientIp(req);
    const held = await throttle.retryAfter(ip);
    const tooMany = "too many failed authentication attempts from this client; retry later";
    if (held) return refuse(socket, 429, { error: tooMany }, { "Retry-After": String(held) });
    const query = queryOf(req);
    const credential = urlCredential(query);
    if (credential) {
      const error = `${credential}: a token is not accepted in the URL; offer it as the subprotocol bearer.<token> or send it in the first message`;
      return refuse(socket, 400, { error, problems: [error] });
    }
    const q = socketQuery.safeParse(query);
    if (!q.success) {
      const problems = problemsOf(q.error);
      return refuse(socket, 400, { error: problems.join("; "), problems });
    }
    const token = offeredToken(req);
    if (token === null) return accept(req, socket, head, (ws) => awaitAuth(ws, ip, q.data));
    const who = deps.authenticate(token);
    if (!who) {
      const refusal = await failed(ip);
      const headers: Record<string, string> = refusal.retryAfter
        ? { "Retry-After": String(refusal.retryAfter) }
        : { "WWW-Authenticate": 'Bearer realm="switchyard"' };
      return refuse(socket, refusal.status, { error: refusal.error }, headers);
    }
    if (!allows(who.scopes, "read")) return refuse(socket, 403, { error: "this token lacks the read scope" });
    // A slot before the upgrade, so a refusal is a 503 as for SSE; given back when the socket goes, however.
    const slot = slots.take(who.id);
    if (!slot.ok) return refuse(socket, 503, { error: slot.error }, { "Retry-After": String(RETRY_AFTER_SECONDS) });
    socket.once("close", slot.release);
    accept(req, socket, head, (ws) => void subscribe(ws, q.data, q.data.after));
  }

  return {
    wants: isStreamUpgrade,
    upgrade(req, socket, head) {
      upgrade(req, socket, head).catch((err: Error) => {
        log.warn({ err: err.message }, "websocket stream: upgrade failed");
        refuse(socket, 503, { error: "unavailable" }, { "Retry-After": String(RETRY_AFTER_SECONDS) });
      });
    },
    async close() {
      closed = true;
      clearInterval(beat);
      const open = [...sockets.keys()];
      const gone = open.map((ws) => new Promise((resolve) => ws.once("close", resolve)));
      for (const ws of open) closeSocket(ws, CLOSE.shutdown, "shutting down");
      await Promise.all(gone);
      wss.close();
    },
  };
}
