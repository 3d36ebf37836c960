import { z } from "zod";
import { publishedEvent } from "../../platforms/custom/body.js";

/** Events one POST /api/events/batch takes, at most. */
export const MAX_BATCH = 500;

/** POST /api/events: one event under the publisher's `custom.<source>.*` (docs/outbound.md "Publishing events"). */
export const PublishedEventSchema = publishedEvent.meta({ id: "PublishedEvent" });

/** POST /api/events/batch: every event valid, or none is taken. */
export const PublishBatchSchema = z
  .strictObject({ events: z.array(PublishedEventSchema).min(1).max(MAX_BATCH) })
  .meta({ id: "PublishBatch" });

/** What one published event became: its event id, and whether it repeated a known idempotency key. */
export const PublishedSchema = z
  .strictObject({
    id: z.uuid().meta({ description: "the event's (and its stored delivery's) id" }),
    duplicate: z.boolean().meta({ description: "a repeat of an earlier publish: nothing new stored, its id given" }),
  })
  .meta({ id: "Published" });

export const PublishedBatchSchema = z
  .strictObject({
    items: z.array(PublishedSchema).meta({ description: "one per event, in the order sent" }),
    accepted: z.number().int().meta({ description: "events new to Switchyard" }),
    duplicates: z.number().int(),
  })
  .meta({ id: "PublishedBatch" });
