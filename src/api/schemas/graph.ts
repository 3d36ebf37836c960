import { z } from "zod";
import { PLATFORMS } from "../../shared/event.js";
import { time } from "./common.js";

/** An entity of the graph (contract §4); one only named by links or events has no times. */
export const EntitySchema = z
  .strictObject({
    key: z.string(),
    kind: z.string(),
    title: z.string().nullable(),
    state: z.string().nullable(),
    url: z.string().nullable(),
    firstSeenAt: time.optional(),
    lastSeenAt: time.optional(),
  })
  .meta({ id: "Entity" });

/** A link of the graph (contract §5). */
export const LinkSchema = z
  .strictObject({
    from: z.string(),
    to: z.string(),
    relation: z.string(),
    rule: z.string(),
    confidence: z.number(),
    evidence: z.array(z.string()).meta({ description: "ids of the events that made it" }),
    createdAt: time,
  })
  .meta({ id: "Link" });

/** An event of an entity's timeline: the unified event without its payload. */
export const TimelineEventSchema = z
  .strictObject({
    id: z.uuid(),
    platform: z.enum(PLATFORMS),
    type: z.string(),
    occurredAt: time,
    actor: z.string().nullable(),
    subject: z.string().nullable(),
    priority: z.string(),
  })
  .meta({ id: "TimelineEvent" });

/** GET /api/entities/:key. */
export const EntityGraphSchema = z
  .strictObject({
    entity: EntitySchema,
    links: z.array(LinkSchema),
    timeline: z.array(TimelineEventSchema),
    related: z.array(EntitySchema).meta({ description: "the entities at the links' other ends" }),
  })
  .meta({ id: "EntityGraph" });
