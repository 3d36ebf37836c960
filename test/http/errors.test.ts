import { describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.js";
import { answerFor, bodyErrorStatus, classifyError, RETRY_AFTER_SECONDS } from "../../src/http/errors.js";
import { invalidBody, queueUnavailable } from "../../src/shared/errors.js";
import { SealKeyError } from "../../src/shared/seal.js";

const withCode = (message: string, code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });
/** What Prisma 7 throws for a failed $queryRaw over @prisma/adapter-pg. */
const prismaRaw = (cause: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError("Raw query failed.", {
    code: "P2010",
    clientVersion: "7.10.0",
    meta: { driverAdapterError: Object.assign(new Error("DriverAdapterError"), { cause }) },
  });

describe("answerFor: an outage is a 503 with Retry-After", () => {
  const outages: Array<[string, unknown]> = [
    ["pg ECONNREFUSED", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    ["pg ETIMEDOUT", withCode("connect ETIMEDOUT", "ETIMEDOUT")],
    ["pg Connection terminated", new Error("Connection terminated unexpectedly")],
    ["pg-pool timeout", new Error("timeout exceeded when trying to connect")],
    ["SQLSTATE 08006 connection failure", withCode("connection failure", "08006", { severity: "FATAL" })],
    ["SQLSTATE 53300 too many connections", withCode("sorry, too many clients already", "53300")],
    ["SQLSTATE 57P01 admin shutdown", withCode("terminating connection due to administrator command", "57P01")],
    ["SQLSTATE 57P03 cannot connect now", withCode("the database system is starting up", "57P03")],
    ["Prisma P1001", new Prisma.PrismaClientKnownRequestError("Can't reach", { code: "P1001", clientVersion: "7" })],
    [
      "Prisma P2024 pool timeout",
      new Prisma.PrismaClientKnownRequestError("pool", { code: "P2024", clientVersion: "7" }),
    ],
    ["Prisma initialization", new Prisma.PrismaClientInitializationError("Can't reach database server", "7.10.0")],
    ["adapter DatabaseNotReachable", prismaRaw({ kind: "DatabaseNotReachable", host: "db", port: 5432 })],
    ["adapter postgres 57P02", prismaRaw({ kind: "postgres", code: "57P02", message: "crash shutdown" })],
    ["ioredis closed", new Error("Connection is closed.")],
    ["ioredis max retries", new Error("Reached the max retries per request limit (which is 1).")],
    ["ioredis offline", new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ["AggregateError of refusals", new AggregateError([withCode("a", "ECONNREFUSED"), withCode("b", "ECONNREFUSED")])],
    ["wrapped in a cause", new Error("query failed", { cause: withCode("x", "ECONNRESET") })],
    ["queue_unavailable refusal", queueUnavailable()],
  ];
  for (const [name, err] of outages) {
    it(name, () => {
      expect(answerFor(err)).toMatchObject({ status: 503, retryAfter: RETRY_AFTER_SECONDS });
    });
  }
});

describe("answerFor: secrets the configured keys cannot seal or open", () => {
  it("is a 503 naming SECRETS_KEYS, with Retry-After", () => {
    const answer = answerFor(new SealKeyError('SECRETS_KEYS has no key with id "k1"', "k1"));
    expect(answer).toEqual({
      status: 503,
      error: 'SECRETS_KEYS has no key with id "k1"',
      retryAfter: RETRY_AFTER_SECONDS,
    });
  });
});

describe("answerFor: a value PostgreSQL refused is a 400", () => {
  const refusals: Array<[string, unknown]> = [
    ["22021 NUL / bad UTF-8", withCode('invalid byte sequence for encoding "UTF8": 0x00', "22021")],
    ["22P02 invalid text", withCode('invalid input syntax for type uuid: "x"', "22P02")],
    ["22007 invalid datetime", withCode("invalid input syntax for type timestamp", "22007")],
    ["22008 datetime out of range", withCode("date/time field value out of range", "22008")],
    ["22P05 \\u0000 in jsonb", withCode("unsupported Unicode escape sequence", "22P05")],
    ["adapter postgres 22021", prismaRaw({ kind: "postgres", code: "22021", message: "invalid byte sequence" })],
    ["adapter InvalidInputValue", prismaRaw({ kind: "InvalidInputValue", originalCode: "22P02", message: "x" })],
    [
      "Prisma P2000 value too long",
      new Prisma.PrismaClientKnownRequestError("long", { code: "P2000", clientVersion: "7" }),
    ],
  ];
  for (const [name, err] of refusals) {
    it(name, () => {
      expect(answerFor(err)).toEqual({ status: 400, error: expect.any(String) });
    });
  }

  it("reads codes before messages: a refused value quoting outage words stays a 400", () => {
    expect(classifyError(withCode('invalid input syntax for type uuid: "Connection terminated"', "22P02"))).toBe(
      "data",
    );
  });
});

describe("answerFor: anything else", () => {
  it("is a 500 for a bug, without its message", () => {
    const answer = answerFor(new TypeError("Cannot read properties of undefined (reading 'secret payload')"));
    expect(answer).toEqual({ status: 500, error: "internal error" });
  });
  it("never quotes the message of a refused value either", () => {
    expect(JSON.stringify(answerFor(withCode('invalid input: "s3cr3t"', "22P02")))).not.toContain("s3cr3t");
  });
  it("keeps an http-errors client status (Koa's ctx.throw)", () => {
    expect(answerFor(Object.assign(new Error("too big"), { status: 413, expose: true })).status).toBe(413);
    expect(answerFor(Object.assign(new Error("x"), { status: 502, expose: false })).status).toBe(500);
  });
  it("maps other refusals through their reason", () => {
    expect(answerFor(invalidBody("bad"))).toEqual({ status: 422, error: "request refused" });
  });
  it("stops on a cyclic cause chain", () => {
    const a: Error & { cause?: unknown } = new Error("a");
    a.cause = new Error("b", { cause: a });
    expect(answerFor(a).status).toBe(500);
  });
  it("does not take a non-SQLSTATE code for one", () => {
    expect(classifyError(withCode("x", "08abc"))).toBeNull();
    expect(classifyError(withCode("x", "ERR_INVALID_ARG_TYPE"))).toBeNull();
  });
});

describe("bodyErrorStatus", () => {
  it("keeps the client status of raw-body and co-body errors", () => {
    expect(bodyErrorStatus(Object.assign(new SyntaxError("Unexpected end of JSON input"), { status: 400 }))).toBe(400);
    expect(bodyErrorStatus(Object.assign(new Error("request entity too large"), { status: 413 }))).toBe(413);
    expect(bodyErrorStatus(Object.assign(new Error("Unsupported Content-Encoding"), { status: 415 }))).toBe(415);
  });
  it("takes a failed decompression (no status) as the request's", () => {
    expect(bodyErrorStatus(withCode("incorrect header check", "Z_DATA_ERROR"))).toBe(400);
  });
  it("leaves raw-body's own 5xx to the catch-all", () => {
    expect(bodyErrorStatus(Object.assign(new Error("stream encoding should not be set"), { status: 500 }))).toBeNull();
  });
});
