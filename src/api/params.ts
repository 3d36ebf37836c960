import type { Context } from "koa";
import { z } from "zod";
import { decodeCursor, type Cursor } from "../store/read/cursor.js";
import { LIMITS, REPOSITORY } from "../shared/bounds.js";
import { storableDate } from "../shared/time.js";
import { badRequest } from "../http/respond.js";

/**
 * The schemas /api validates path parameters, queries and bodies with, at the edge (contract §2: bad
 * input gets a clear 4xx, never a 5xx). Every string that reaches SQL is refused with NUL (PostgreSQL
 * text cannot hold it) or a lone surrogate, and bounded in UTF-8 bytes like the values stored
 * (shared/bounds.ts); dates are limited to what timestamptz takes from us, years 1–9999.
 */

/** A non-empty string for SQL of at most `maxBytes` UTF-8 bytes. */
export const sqlText = (maxBytes: number) =>
  z
    .string()
    .min(1, "must not be empty")
    // abort: one clear problem per value, not three about the same 5 MB string.
    .refine((s) => !s.includes("\u0000"), { message: "must not contain NUL characters", abort: true })
    .refine((s) => s.isWellFormed(), { message: "must be well-formed Unicode", abort: true })
    .refine((s) => Buffer.byteLength(s) <= maxBytes, `must be at most ${maxBytes} bytes`);

/** Entity keys (contract §4), and event subjects, which are entity keys. */
export const entityKey = sqlText(LIMITS.keyBytes);
/** Environment, service and other names. */
export const name = sqlText(LIMITS.nameBytes);
/** An event type glob (`github.pull_request.*`). */
export const typeGlob = sqlText(200);
/** A rule name in a path: well beyond the 63 characters a rule may have, so a miss is a 404, not a 400. */
export const ruleName = sqlText(200);
/** A BullMQ job id (numbers for backfills, UUIDs for deliveries). */
export const jobId = sqlText(200);
/** `owner/repo` within GitHub's limits, or a GitLab project `gitlab:group/project`; compared lower-case as stored. */
export const repository = z
  .string()
  .max(LIMITS.nameBytes, "owner/repo (or gitlab:group/project)")
  .regex(REPOSITORY, "owner/repo (or gitlab:group/project)")
  .transform((s) => s.toLowerCase());

export const uuid = z.uuid("must be a UUID");

/** ISO-8601 with a zone (`Z` or `±hh:mm`), as a Date in years 1–9999 (year 0 parses in JS, not in PostgreSQL). */
export const isoDate = z.iso
  .datetime({ offset: true, message: "must be an ISO-8601 date-time with a zone", abort: true })
  .refine((s) => storableDate(s) !== null, "must be a date in the years 1 to 9999")
  .transform((s) => new Date(s));

/** The earliest instant stored, for windows computed back from a given date. */
export const FIRST_DATE = new Date("0001-01-01T00:00:00Z");

/** An integer in min..max from a query string, with one message whatever is wrong (NaN, 1.5, 1e308). */
export function integer(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  // null is never a query value, but coerced it would be 0: refused, so the OpenAPI document
  // (which asks the schema whether it takes null) does not call the parameter nullable.
  return z.preprocess(
    (v) => (v === null ? Number.NaN : v),
    z.coerce.number({ message }).int({ message, abort: true }).min(min, { message, abort: true }).max(max, { message }),
  );
}

/** A page size: an integer in 1..max, `fallback` when absent. */
export const limit = (max: number, fallback: number) => integer(1, max).default(fallback);
/** An offset into a list kept in Redis: bounded so a scan never starts past any real list. */
export const offset = integer(0, 1_000_000).default(0);

/** An events keyset cursor (store/read/cursor.ts); anything that does not decode is `cursor: invalid`. */
export const eventCursor = z
  .string()
  .max(200, "invalid")
  .transform((s, ctx): Cursor => {
    const cursor = decodeCursor(s);
    if (!cursor) ctx.issues.push({ code: "custom", message: "invalid", input: s });
    return cursor ?? z.NEVER;
  });

/** `input` validated by `schema`, or undefined once a 400 listing the problems is answered. */
export function valid<T extends z.ZodType>(ctx: Context, schema: T, input: unknown): z.output<T> | undefined {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  badRequest(ctx, parsed.error);
  return undefined;
}
