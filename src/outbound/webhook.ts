import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net, { type TcpNetConnectOpts } from "node:net";
import type { Duplex } from "node:stream";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { Webhook } from "standardwebhooks";
import {
  failedOutcome,
  type OutgoingMessage,
  type SendOutcome,
  type Sender,
  type SubscriptionTarget,
} from "../shared/outbound.js";
import { DestinationRefused, guardedLookup, refusedAddress } from "./destination-policy.js";
import { parseRetryAfter } from "./schedule.js";

/**
 * The sender of `kind: "webhook"` subscriptions: Standard Webhooks over HTTP(S) (SPEC §9). One POST
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

/** One signer per secret: the secret's base64 is decoded once, not on every message. */
const signers = new Map<string, Webhook>();
function signer(secret: string): Webhook {
  let w = signers.get(secret);
  if (!w) {
    if (signers.size >= 10_000) signers.clear();
    signers.set(secret, (w = new Webhook(secret)));
  }
  return w;
}

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
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((s) => signer(s).sign(id, at, body)).join(" "),
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

/** Reads at most EXCERPT_BYTES of the answer for the log; drains (or cuts) the rest. */
function readAnswer(res: http.IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let read = 0;
    res.on("data", (chunk: Buffer) => {
      read += chunk.length;
      if (kept < EXCERPT_BYTES) {
        const part = chunk.subarray(0, EXCERPT_BYTES - kept);
        chunks.push(part);
        kept += part.length;
      }
      if (read > MAX_READ_BYTES) res.destroy();
    });
    const done = () =>
      resolve({
        status: res.statusCode ?? 0,
        retryAfter: res.headers["retry-after"],
        excerpt: Buffer.concat(chunks).toString("utf8").toWellFormed(),
      });
    res.on("end", done);
    // Cut on purpose past MAX_READ_BYTES: the status and excerpt are what counts. Otherwise a
    // close before the end is the peer's (or the timeout's) doing; settling twice is harmless.
    res.on("close", () => (read > MAX_READ_BYTES ? done() : reject(new Error("the answer was cut short"))));
    res.on("error", (err) => (read > MAX_READ_BYTES ? done() : reject(err)));
  });
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

/** The webhook `Sender`, with keep-alive agents that filter destinations; `close()` ends their sockets. */
export function createWebhookSender(o: WebhookSenderOptions): { send: Sender; close(): void } {
  const agentOptions = { keepAlive: true, scheduling: "lifo" as const, allowPrivateIPAddress: o.allowPrivate };
  const agents = {
    "http:": police(new RequestFilteringHttpAgent(agentOptions), o.allowPrivate),
    "https:": police(new RequestFilteringHttpsAgent(agentOptions), o.allowPrivate),
  };

  function post(url: URL, headers: Record<string, string>, body: Buffer): Promise<Answer> {
    const agent = agents[url.protocol as keyof typeof agents];
    const request = url.protocol === "https:" ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(url, { method: "POST", agent, headers });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new Timeout());
      }, o.timeoutMs);
      // Whatever breaks after the time limit (the answer cut mid-body) is the timeout.
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(timedOut ? new Timeout() : err);
      };
      req.on("response", (res) =>
        readAnswer(res).then((answer) => {
          clearTimeout(timer);
          resolve(answer);
        }, fail),
      );
      req.on("error", fail);
      req.end(body);
    });
  }

  const send: Sender = async (target: SubscriptionTarget, message: OutgoingMessage): Promise<SendOutcome> => {
    let url: URL;
    try {
      url = new URL(target.url ?? "");
    } catch {
      return failedOutcome("the subscription has no valid URL", { permanent: true });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return failedOutcome("only http and https URLs are sent to", { permanent: true });
    if (!target.secrets.length) return failedOutcome("the subscription has no signing secret", { permanent: true });
    const text = message.body ?? JSON.stringify(message.payload);
    const body = Buffer.from(text);
    const headers = {
      ...signatureHeaders(message.id, new Date(), text, target.secrets),
      "content-type": "application/json",
      "content-length": String(body.length),
      "user-agent": USER_AGENT,
    };
    try {
      return outcomeOf(await post(url, headers, body), Date.now());
    } catch (err) {
      return describeError(err as Error, o.timeoutMs);
    }
  };

  return {
    send,
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}
