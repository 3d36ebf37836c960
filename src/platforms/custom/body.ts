import { z } from "zod";
import { LIMITS } from "../../shared/bounds.js";
import { PRIORITIES } from "../../shared/event.js";
import { storableIsoDate } from "../iso-date.js";

/** A publisher's name, the second segment of its types: a short lower-case slug. */
export const SOURCE = /^[a-z][a-z0-9-]{0,62}$/;
/** What follows `custom.<source>.` in a type: lower-case words, dots between. */
const TYPE_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
/** The serialized `data` of one event, at most. */
export const MAX_DATA_BYTES = 65_536;
/** Keys one event may name besides its subject. */
export const MAX_KEYS = 100;
/**
 * An entity key (contract §4): `<namespace>:<kind>:<id>` (`github:pr:acme/web#7`, `linear:issue:ENG-42`,
 * `custom:ci:build-9`), without spaces or control characters, within the keys' byte bound.
 */
const ENTITY_KEY = /^[a-z][a-z0-9_-]{0,31}:[a-z0-9_-]{1,32}:[^\s\p{Cc}]+$/u;

const entityKey = z
  .string()
  .regex(ENTITY_KEY, "an entity key such as github:pr:owner/repo#7 or custom:<source>:<id>")
  .refine((k) => k.isWellFormed() && Buffer.byteLength(k) <= LIMITS.keyBytes, `at most ${LIMITS.keyBytes} bytes`);

const isoDate = storableIsoDate("must be an ISO-8601 date-time with a zone");

/** One published event (docs/outbound.md "Publishing events"); unknown fields are refused. */
export const publishedEvent = z
  .strictObject({
    type: z.string().max(200).meta({ description: "`custom.<source>.<name>`" }),
    source: z.string().regex(SOURCE, "a lower-case slug: a letter, then letters, digits or dashes (≤ 63)"),
    subject: entityKey.optional().meta({ description: "the entity key the event is about; rules link from it" }),
    keys: z.array(entityKey).max(MAX_KEYS).optional().meta({ description: "other entity keys the event names" }),
    occurredAt: isoDate.optional().meta({ description: "when it happened; default: when it was received" }),
    priority: z.enum(PRIORITIES).optional().meta({ description: "its queue priority; default `normal`" }),
    data: z
      .record(z.string(), z.unknown())
      .refine((d) => Buffer.byteLength(JSON.stringify(d)) <= MAX_DATA_BYTES, `at most ${MAX_DATA_BYTES} bytes as JSON`)
      .meta({ description: "the event's own fields (a JSON object)" }),
    idempotencyKey: z
      .string()
      .regex(/^[^\p{Cc}]{1,128}$/u, "1 to 128 printable characters")
      .optional()
      .meta({ description: "a repeat with the same source and key is a duplicate: nothing new is stored" }),
  })
  .superRefine((e, ctx) => {
    const prefix = `custom.${e.source}.`;
    if (!e.type.startsWith(prefix) || !TYPE_NAME.test(e.type.slice(prefix.length)))
      ctx.addIssue({ code: "custom", path: ["type"], message: `must be ${prefix}<name> (lower-case words, dots)` });
  });

export type PublishedEvent = z.infer<typeof publishedEvent>;
