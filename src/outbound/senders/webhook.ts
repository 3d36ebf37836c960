import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import dns from "node:dns";
import type { IncomingHttpHeaders } from "node:http";
import net, { type TcpNetConnectOpts } from "node:net";
import type { Duplex } from "node:stream";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { Webhook } from "standardwebhooks";
import { Agent, type buildConnector, type Dispatcher } from "undici";
import {
  failedOutcome,
  type OutgoingMessage,
  type SendOutcome,
  type Sender,
  type SubscriptionTarget,
} from "../../shared/outbound.js";
import { DestinationRefused, guardedLookup, refusedAddress } from "./destination-policy.js";
import { parseRetryAfter } from "../schedule.js";

/**
 * The sender of `kind: "webhook"` subscriptions: Standard Webhooks over HTTP(S) (contract §9). One POST
 * per attempt, redirects never followed, and the address actually connected to checked at connect
 * time, so neither a name that resolves to a private address nor DNS changing after a check
 * reaches an internal service. The address policy is destination-policy.ts, the one creating a
 * subscription checks; request-filtering-agent's own check stays behind it.
 */

const USER_AGENT = "Switchyard-Webhooks/1";
/** Bytes of an answer kept in the attempt log. */
const EXCERPT_BYTES = 1024;
/** An answer longer than this is cut (its socket is not reused): only the excerpt is ever kept. */
const MAX_READ_BYTES = 64 * 1024;
/** Throttling answers whose `Retry-After` is honoured. */
const THROTTLED = new Set([429, 502, 503, 504]);

/**
 * One HMAC key per secret, decoded once. standardwebhooks decodes (and so checks) the secret; the
 * HMAC itself is node:crypto's, several times cheaper than the library's pure-JS SHA-256 (same
 * bytes: test/outbound/delivery/worker.test.ts verifies them with standardwebhooks).
 */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    new Webhook(secret); // throws on a secret standardwebhooks would refuse
    if (keys.size >= 10_000) keys.clear();
    const base64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
    keys.set(secret, (key = createSecretKey(Buffer.from(base64, "base64"))));
  }
  return key;
}
const SECRET_PREFIX = "whsec_";

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` stays the message's on every attempt,
 * the timestamp is this attempt's, and each secret adds one `v1,…` signature (rotation).
 */
export function signatureHeaders(
  id: string,
  at: Date,
  body: string,
  secrets: readonly string[],
): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signed = `${id}.${timestamp}.${body}`;
  return {
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": secrets
      .map((s) => `v1,${createHmac("sha256", keyOf(s)).update(signed).digest("base64")}`)
      .join(" "),
  };
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  excerpt: string;
}

class Timeout extends Error {}

/** request-filtering-agent's refusal of a destination, read back from its message (it has no code). */
const REFUSED = /^DNS lookup (\S+?)\(family:[^,]*, host:(.*?)\) is not allowed\. Because,? (.*)$/;

/** A socket error as the attempt log says it; a refused destination is permanent. */
function describeError(err: Error, timeoutMs: number): SendOutcome {
  if (err instanceof Timeout) return failedOutcome(`timed out after ${timeoutMs} ms`);
  if (err instanceof DestinationRefused) return failedOutcome(err.message, { permanent: true });
  const refused = REFUSED.exec(err.message);
  if (refused) {
    const [, address, host] = refused;
    const named = host && host !== "undefined" && host !== address ? `${host} resolves to ${address}, which` : address;
    const why = /meta IP/i.test(err.message)
      ? "is an unspecified (meta) address"
      : "is a private, loopback or link-local address (OUTBOUND_ALLOW_PRIVATE=true allows it)";
    return failedOutcome(`destination refused: ${named} ${why}`, { permanent: true });
  }
  const code = (err as NodeJS.ErrnoException).code;
  return failedOutcome(code && !err.message.includes(code) ? `${err.message} (${code})` : err.message);
}

/** What an HTTP answer means for the message. */
export function outcomeOf(answer: Answer, now: number): SendOutcome {
  const { status, excerpt } = answer;
  const base = { statusCode: status, response: excerpt };
  if (status >= 200 && status < 300) return { ok: true, ...base };
  if (status === 410) return { ok: false, ...base, gone: true, error: "410 Gone: the endpoint asked to be disabled" };
  if (status >= 300 && status < 400) return { ok: false, ...base, error: `HTTP ${status}: redirects are not followed` };
  const outcome: SendOutcome = { ok: false, ...base, error: `HTTP ${status}` };
  if (THROTTLED.has(status)) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, now);
    if (retryAfterMs !== null) outcome.retryAfterMs = retryAfterMs;
  }
  return outcome;
}

/**
 * undici's handler of one POST: keeps at most EXCERPT_BYTES of the answer for the log and cuts it
 * past MAX_READ_BYTES (its socket is then not reused); settles once. A handler rather than
 * `request()`: no body stream and no AbortSignal per message (a third of the CPU per send).
 */
class AnswerReader implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private status = 0;
  private retryAfter: string | undefined;
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private read = 0;
  private settled = false;
  private timedOut = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    timeoutMs: number,
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller?.abort(new Timeout());
      this.fail(new Timeout());
    }, timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController) {
    this.controller = controller;
    if (this.settled) controller.abort(new Timeout());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders) {
    this.status = statusCode;
    const retryAfter = headers["retry-after"];
    this.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer) {
    this.read += chunk.length;
    if (this.kept < EXCERPT_BYTES) {
      const part = chunk.subarray(0, EXCERPT_BYTES - this.kept);
      this.chunks.push(part);
      this.kept += part.length;
    }
    // Cut on purpose: the status and excerpt are what counts.
    if (this.read > MAX_READ_BYTES) {
      this.done();
      controller.abort(new Error("answer cut after MAX_READ_BYTES"));
    }
  }

  onResponseEnd() {
    this.done();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error) {
    // Whatever breaks after the time limit (the answer cut mid-body) is the timeout.
    this.fail(this.timedOut ? new Timeout() : err);
  }

  private done() {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve({
      status: this.status,
      retryAfter: this.retryAfter,
      excerpt: Buffer.concat(this.chunks).toString("utf8").toWellFormed(),
    });
  }

  private fail(err: Error) {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(err);
  }
}

export interface WebhookSenderOptions {
  /** OUTBOUND_ALLOW_PRIVATE */
  allowPrivate: boolean;
  /** OUTBOUND_TIMEOUT_MS: connection to last byte. */
  timeoutMs: number;
}

type ConnectionListener = (error: Error | null, socket: Duplex) => void;

/**
 * The connection's options with the policy applied: a literal host refused at once, a name's
 * addresses when it resolves. (The policy is not given as the agent's `denyIPAddressList`: it warns
 * on every address of the other family than a range's.)
 */
function policed(options: TcpNetConnectOpts, allowPrivate: boolean): TcpNetConnectOpts | DestinationRefused {
  const literal = options.host === undefined ? null : refusedAddress(options.host, allowPrivate);
  if (literal) return new DestinationRefused(literal, undefined);
  return { ...options, lookup: guardedLookup(options.lookup ?? dns.lookup, allowPrivate) };
}

/** A socket that fails with the refusal, as request-filtering-agent answers one. */
function refusedSocket(error: Error, listener?: ConnectionListener): net.Socket {
  const socket = new net.Socket();
  if (listener) listener(error, socket);
  else socket.destroy(error);
  return socket;
}

type Connect = (options: TcpNetConnectOpts, listener?: ConnectionListener) => Duplex;

/** `agent` (request-filtering-agent's, which checks again after) with the policy applied first to each connection. */
function police<A extends { createConnection: Connect }>(agent: A, allowPrivate: boolean): A {
  const connect = agent.createConnection.bind(agent);
  agent.createConnection = (options, listener) => {
    const checked = policed(options, allowPrivate);
    return checked instanceof Error ? refusedSocket(checked, listener) : connect(checked, listener);
  };
  return agent;
}

/** What a send needs of a webhook URL. */
interface Destination {
  protocol: string;
  origin: string;
  /** Path and query, as sent. */
  path: string;
  /** Credentials in the URL, sent as node:http sends them: basic authentication. */
  authorization: string | null;
}

/** URLs parsed once: a subscription's URL is sent to again and again. */
const destinations = new Map<string, Destination | null>();
function destinationOf(href: string): Destination | null {
  let d = destinations.get(href);
  if (d !== undefined) return d;
  try {
    const url = new URL(href);
    const auth =
      url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : null;
    d = {
      protocol: url.protocol,
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      authorization: auth === null ? null : `Basic ${Buffer.from(auth).toString("base64")}`,
    };
  } catch {
    d = null;
  }
  if (destinations.size >= 10_000) destinations.clear();
  destinations.set(href, d);
  return d;
}

/**
 * undici's connector, opening sockets through the policed request-filtering agents (their
 * `createConnection` only: undici keeps the connections alive and reuses them). A connection not
 * made within `timeoutMs` is given up.
 */
function connector(allowPrivate: boolean, timeoutMs: number): buildConnector.connector {
  const agentOptions = { allowPrivateIPAddress: allowPrivate };
  const agents = {
    "http:": police(new RequestFilteringHttpAgent(agentOptions), allowPrivate),
    "https:": police(new RequestFilteringHttpsAgent(agentOptions), allowPrivate),
  };
  return (opts, callback) => {
    const secure = opts.protocol === "https:";
    const host = opts.hostname.startsWith("[") ? opts.hostname.slice(1, -1) : opts.hostname;
    const socket = agents[secure ? "https:" : "http:"].createConnection({
      host,
      port: Number(opts.port) || (secure ? 443 : 80),
      ...(secure
        ? { servername: opts.servername ?? (net.isIP(host) ? undefined : host), ALPNProtocols: ["http/1.1"] }
        : {}),
    } as TcpNetConnectOpts) as net.Socket;
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) callback(err, null);
      else callback(null, socket);
    };
    const timer = setTimeout(() => socket.destroy(new Timeout()), timeoutMs);
    socket.setNoDelay(true);
    socket.once(secure ? "secureConnect" : "connect", () => settle(null));
    socket.once("error", settle);
  };
}

/**
 * The webhook `Sender`: undici (several times cheaper per request than node:http) with keep-alive
 * connections per origin, opened through the destination policy; `close()` ends them.
 */
export function createWebhookSender(o: WebhookSenderOptions): { send: Sender; close(): void } {
  const dispatcher = new Agent({ connect: connector(o.allowPrivate, o.timeoutMs) });

  /** One POST; no redirect is followed (undici hands a 3xx back as it is). */
  function post(url: Destination, headers: Record<string, string>, body: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const reader = new AnswerReader(o.timeoutMs, resolve, reject);
      dispatcher.dispatch({ origin: url.origin, path: url.path, method: "POST", headers, body }, reader);
    });
  }

  const send: Sender = async (target: SubscriptionTarget, message: OutgoingMessage): Promise<SendOutcome> => {
    const url = destinationOf(target.url ?? "");
    if (!url) return failedOutcome("the subscription has no valid URL", { permanent: true });
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return failedOutcome("only http and https URLs are sent to", { permanent: true });
    if (!target.secrets.length) return failedOutcome("the subscription has no signing secret", { permanent: true });
    const text = message.body ?? JSON.stringify(message.payload);
    const body = Buffer.from(text);
    const headers: Record<string, string> = {
      ...signatureHeaders(message.id, new Date(), text, target.secrets),
      "content-type": "application/json",
      "content-length": String(body.length),
      "user-agent": USER_AGENT,
    };
    if (url.authorization) headers.authorization = url.authorization;
    try {
      return outcomeOf(await post(url, headers, body), Date.now());
    } catch (err) {
      return describeError(err as Error, o.timeoutMs);
    }
  };

  return {
    send,
    close() {
      dispatcher.destroy().catch(() => undefined);
    },
  };
}
