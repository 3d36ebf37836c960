import { z } from "zod";
import { PLATFORMS } from "../../shared/event.js";
import { pageOf, time } from "./common.js";

/** A unified event (contract §3), as GET /api/events lists it. */
export const EventSchema = z
  .strictObject({
    id: z.uuid(),
    platform: z.enum(PLATFORMS),
    type: z.string(),
    deliveryId: z.string(),
    occurredAt: time,
    receivedAt: time,
    actor: z.string().nullable(),
    subject: z.string().nullable().meta({ description: "the entity key the event is about" }),
    keys: z.array(z.string()).meta({ description: "every entity key the event names" }),
    priority: z.string(),
    payload: z.unknown().meta({ description: "the upstream payload, as received" }),
  })
  .meta({ id: "Event" });

export const EventPageSchema = pageOf(EventSchema).meta({ id: "EventPage" });

/** GET /api/events/:id: the event, its platform rows (by table) and its raw delivery. */
export const EventDetailSchema = z
  .strictObject({
    event: EventSchema,
    rows: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .meta({ description: "the platform rows: github, slack, linear, deployment, incident, gitlab" }),
    raw: z
      .strictObject({
        contentType: z.string().nullable(),
        headers: z.unknown().meta({ description: "kept request headers, without signatures or credentials" }),
        body: z.string().meta({ description: "the exact body received" }),
        receivedAt: time,
        source: z
          .enum(["webhook", "import"])
          .meta({ description: "`import`: made by a history import from the platform's API (docs/import.md)" }),
      })
      .optional(),
  })
  .meta({ id: "EventDetail" });
