import { z } from "zod";
import { CATALOG_KINDS } from "../../shared/message-schemas.js";

/** One type of the event type catalog (GET /api/event-types). */
export const EventTypeSchema = z
  .strictObject({
    type: z.string().meta({ description: "the type; a `*` pattern where a platform names more than can be listed" }),
    kind: z.enum(CATALOG_KINDS).meta({
      description:
        "event: a platform's unified event; milestone: the graph's; custom: published; test: the test message",
    }),
    platform: z.string().optional().meta({ description: "the platform of an event or custom type" }),
    description: z.string(),
    schema: z
      .record(z.string(), z.unknown())
      .meta({ description: "the JSON Schema (draft 2020-12) of the message's `data`" }),
    example: z.unknown().meta({ description: "an example `data`" }),
  })
  .meta({ id: "EventType" });

export const EventTypeListSchema = z.strictObject({ items: z.array(EventTypeSchema) }).meta({ id: "EventTypeList" });
