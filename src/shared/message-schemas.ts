import { z } from "zod";
import { PRIORITIES } from "./event.js";

/**
 * The `data` of what subscribers receive (contract §9), described once in zod: the TS types of
 * shared/outbound.ts are inferred from these, and GET /api/event-types shows them as JSON Schema.
 * Small by design: keys, titles and links, never upstream payloads.
 */

/** What the event type catalog lists (GET /api/event-types). */
export const CATALOG_KINDS = ["event", "milestone", "custom", "test"] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];

/** ISO-8601, as the outbox writes times (JSON of a timestamptz, or toISOString). */
const isoTime = z.iso.datetime({ offset: true });

/** An entity as messages name it: its key, and the title and URL the graph knows. */
export const EntityRefSchema = z.object({
  key: z.string().meta({ description: "the entity key (contract §4), e.g. github:pr:acme/web#12" }),
  title: z.string().nullable(),
  url: z.string().nullable(),
});

export const DeployRefSchema = z.object({
  key: z.string().meta({ description: "the deploy's key, e.g. deploy:generic:dep-123" }),
  repository: z.string(),
  service: z.string(),
  environment: z.string(),
  sha: z.string(),
  status: z.string(),
  url: z.string().nullable(),
  at: isoTime.meta({ description: "when it finished (or its latest status)" }),
});

/** A link of the graph (contract §5): from, to, relation, the rule that made it and its confidence. */
export const LinkRefSchema = z.object({
  from: z.string(),
  to: z.string(),
  relation: z.string(),
  rule: z.string(),
  confidence: z.number(),
});

/** An incident as messages name it. */
export const IncidentRefSchema = EntityRefSchema.extend({
  source: z.string(),
  status: z.string(),
  service: z.string().nullable(),
  environment: z.string().nullable(),
  repository: z.string().nullable(),
  openedAt: isoTime,
  resolvedAt: isoTime.nullable(),
});

const shipped = { deploy: DeployRefSchema, environment: z.string(), repository: z.string() };

/** Each milestone's data, by type (contract §9). */
export const MILESTONE_DATA = {
  "link.created": z.object({ link: LinkRefSchema }),
  "pr.shipped": z.object({
    ...shipped,
    pullRequest: EntityRefSchema,
    pullRequests: z.array(EntityRefSchema).meta({ description: "every PR the deploy ships" }),
  }),
  "issue.shipped": z.object({
    ...shipped,
    issue: EntityRefSchema,
    pullRequests: z.array(EntityRefSchema).meta({ description: "the PRs of this deploy that close or reference it" }),
  }),
  "deploy.changes": z.object({
    ...shipped,
    rangeKnown: z.boolean(),
    previous: z.string().nullable().meta({ description: "the previous deploy's key in this environment" }),
    commits: z.array(EntityRefSchema),
    pullRequests: z.array(EntityRefSchema),
    issues: z.array(EntityRefSchema),
  }),
  "pr.reverted": z.object({
    pullRequest: EntityRefSchema,
    revertedBy: EntityRefSchema,
    repository: z.string().nullable(),
    rule: z.string(),
  }),
  "deploy.rolled_back": z.object({
    deploy: DeployRefSchema,
    rolledBack: z.string().meta({ description: "the key of the deploy rolled back to" }),
    environment: z.string(),
    repository: z.string(),
  }),
  "incident.linked": z.object({
    incident: IncidentRefSchema,
    deploy: DeployRefSchema,
    confidence: z.number(),
    rule: z.string(),
    reasons: z.array(z.string()).meta({ description: "why this deploy, in words" }),
    suspects: z
      .array(z.object({ deploy: z.string(), confidence: z.number() }))
      .meta({ description: "every suspect, best first" }),
  }),
} as const;

/** A unified event (contract §3) as relayed: without its upstream payload (store/outbox.ts ITEM_COLUMNS). */
export const EventDataSchema = z.object({
  id: z.uuid(),
  platform: z.string(),
  type: z.string(),
  deliveryId: z.string(),
  occurredAt: isoTime,
  receivedAt: isoTime,
  actor: z.string().nullable(),
  subject: z.string().nullable().meta({ description: "the entity key the event is about" }),
  keys: z.array(z.string()).meta({ description: "every entity key the event names" }),
  priority: z.enum(PRIORITIES),
});

/** `switchyard.test`: what POST /api/subscriptions/:name/test sends. */
export const TestDataSchema = z.object({ subscription: z.string(), message: z.string() });

export type EntityRef = z.infer<typeof EntityRefSchema>;
export type DeployRef = z.infer<typeof DeployRefSchema>;
export type LinkRef = z.infer<typeof LinkRefSchema>;
export type IncidentRef = z.infer<typeof IncidentRefSchema>;
export type MilestoneData = { [T in keyof typeof MILESTONE_DATA]: z.infer<(typeof MILESTONE_DATA)[T]> };
export type EventData = z.infer<typeof EventDataSchema>;
export type TestData = z.infer<typeof TestDataSchema>;
