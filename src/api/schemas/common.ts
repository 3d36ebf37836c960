import { z } from "zod";

/**
 * The JSON of /api's answers, described once in zod (contract §6–§11): the handlers answer with
 * `z.output` of these (times as Dates), the OpenAPI document shows them as components, the tests
 * parse real answers with them, and the CLI and the console read `z.input` (times as ISO strings,
 * as they travel). Only zod and pure modules are imported here: the console's type-check reads it.
 */

/** A time: a Date in the service, an ISO-8601 string (`…Z`) on the wire. */
export const time = z.codec(z.iso.datetime(), z.date(), {
  decode: (s) => new Date(s),
  encode: (d) => d.toISOString(),
});

/** A keyset page: `next` asks for the following one (null on the last). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    next: z.string().nullable().meta({ description: "the `cursor` of the next page; null on the last" }),
  });
