import { Refused } from "../shared/errors.js";
import { SealKeyError } from "../shared/seal.js";
import { STATUS } from "./status.js";

/**
 * What an error that escaped a handler means for the client (contract §2: no 5xx but 503). The answer
 * never quotes the error's message, which could quote a payload: the messages here are fixed.
 */
export interface ErrorAnswer {
  status: number;
  error: string;
  /** Seconds, for a 503: when to try again. */
  retryAfter?: number;
}

export const RETRY_AFTER_SECONDS = 5;

/** Socket errors of a connection to PostgreSQL or Redis. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EPIPE",
  "ECONNABORTED",
]);
/** Prisma's codes for an unreachable, timed-out, closed or saturated database. */
const PRISMA_UNAVAILABLE = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
/** Prisma's codes for a value the database refuses (too long, out of range, invalid). */
const PRISMA_DATA = new Set(["P2000", "P2006", "P2007", "P2020", "P2033"]);
/** @prisma/adapter-pg's kinds (driverAdapterError.cause.kind) for the same two families. */
const KIND_UNAVAILABLE = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const KIND_DATA = new Set(["LengthMismatch", "ValueOutOfRange", "InvalidInputValue"]);
/** Messages of pg, pg-pool, Prisma, ioredis and BullMQ when the connection is not there. */
const UNAVAILABLE_MESSAGE = new RegExp(
  [
    "Connection terminated",
    "timeout exceeded when trying to connect",
    "Connection is closed",
    "max retries per request",
    "Stream isn't writeable",
    "Can't reach database server",
    "Client has encountered a connection error",
    "Cannot use a pool after calling end",
    "redis not ready",
  ].join("|"),
  "i",
);

/**
 * SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P0x the server shutting
 * down or refusing connections, 57014 a statement cancelled by its timeout (overload) — all pass;
 * 22 data exception (NUL or bad UTF-8, a date out of range, invalid text for a type) is the request's.
 */
const SQLSTATE_UNAVAILABLE = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[0-9]|57014)$/;
const SQLSTATE_DATA = /^22[0-9A-Z]{3}$/;

interface Signals {
  codes: Set<string>;
  kinds: Set<string>;
  names: Set<string>;
  messages: string[];
}

/** Codes, kinds, names and messages of an error and what it wraps (cause, Prisma's meta, AggregateError's errors). */
function signals(err: unknown): Signals {
  const s: Signals = { codes: new Set(), kinds: new Set(), names: new Set(), messages: [] };
  const queue: unknown[] = [err];
  const seen = new Set<unknown>();
  // Bounded: an error graph is small, but a cyclic or hostile one must not keep us here.
  while (queue.length && seen.size < 32) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ["code", "originalCode", "errorCode"]) if (typeof o[key] === "string") s.codes.add(o[key]);
    if (typeof o.kind === "string") s.kinds.add(o.kind);
    if (typeof o.name === "string") s.names.add(o.name);
    for (const key of ["message", "originalMessage"]) if (typeof o[key] === "string") s.messages.push(o[key]);
    queue.push(o.cause, o.meta, o.driverAdapterError, o.originalError);
    if (Array.isArray(o.errors)) queue.push(...o.errors.slice(0, 8));
  }
  return s;
}

const some = <T>(values: Iterable<T>, test: (v: T) => boolean) => [...values].some(test);

/**
 * "unavailable" when PostgreSQL or Redis cannot be reached now (a retry later may succeed), "data"
 * when PostgreSQL refused a value of the request (SQLSTATE class 22 and Prisma's equivalents).
 * Codes are read before messages: a data error's message quotes the value, which could read like
 * an outage.
 */
export function classifyError(err: unknown): "unavailable" | "data" | null {
  const s = signals(err);
  if (
    some(s.codes, (c) => NETWORK_CODES.has(c) || PRISMA_UNAVAILABLE.has(c) || SQLSTATE_UNAVAILABLE.test(c)) ||
    some(s.kinds, (k) => KIND_UNAVAILABLE.has(k)) ||
    s.names.has("PrismaClientInitializationError")
  ) {
    return "unavailable";
  }
  if (some(s.codes, (c) => PRISMA_DATA.has(c) || SQLSTATE_DATA.test(c)) || some(s.kinds, (k) => KIND_DATA.has(k))) {
    return "data";
  }
  return s.messages.some((m) => UNAVAILABLE_MESSAGE.test(m)) ? "unavailable" : null;
}

const CLIENT_ERRORS: Record<number, string> = {
  400: "bad request",
  408: "request not received in time",
  413: "request body too large",
  415: "unsupported content type or encoding",
};

/** The answer to an error no handler caught: 503 for an outage, 400 for a refused value, else 500 (a bug). */
export function answerFor(err: unknown): ErrorAnswer {
  if (err instanceof Refused) {
    const status = STATUS[err.reason];
    const what = err.reason === "queue_unavailable" ? "queue" : "service";
    return status === 503
      ? { status, error: `${what} unavailable, retry later`, retryAfter: RETRY_AFTER_SECONDS }
      : { status, error: CLIENT_ERRORS[status] ?? "request refused" };
  }
  // Secrets cannot be sealed or opened with the keys configured: say which variable to set (the
  // message names SECRETS_KEYS and a key id, never a value).
  if (err instanceof SealKeyError) return { status: 503, error: err.message, retryAfter: RETRY_AFTER_SECONDS };
  const kind = classifyError(err);
  if (kind === "unavailable") {
    return { status: 503, error: "database or queue unavailable, retry later", retryAfter: RETRY_AFTER_SECONDS };
  }
  if (kind === "data") return { status: 400, error: "a value of the request is not valid for its field" };
  // http-errors' convention (Koa's ctx.throw, raw-body): a client error meant to be shown.
  const o = err as { status?: unknown; expose?: unknown } | null;
  if (o && typeof o.status === "number" && o.status >= 400 && o.status < 500 && o.expose === true) {
    return { status: o.status, error: CLIENT_ERRORS[o.status] ?? "request refused" };
  }
  return { status: 500, error: "internal error" };
}

/**
 * The status for an error reading or parsing a request body, or null for a server fault. Every
 * failure there is the request's (malformed JSON, a bad gzip stream, a wrong length, too large),
 * except raw-body's own 5xx (a stream misused by our code).
 */
export function bodyErrorStatus(err: unknown): number | null {
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === "number") return status >= 400 && status < 500 ? status : null;
  return 400;
}
