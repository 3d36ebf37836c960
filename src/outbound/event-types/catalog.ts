import { z } from "zod";
import { RECEIVER_MODULES } from "../../platforms/registry.js";
import type { PublishedType } from "../../store/read/events.js";
import { EventDataSchema, MILESTONE_DATA, TestDataSchema, type CatalogKind } from "../../shared/message-schemas.js";
import type { MilestoneType } from "../../shared/outbound.js";
import { MILESTONE_EXAMPLES } from "./examples.js";

/**
 * The event type catalog (GET /api/event-types): every type Switchyard sends, with the JSON Schema of
 * its `data` made from the zod schemas that shape it, and an example. Svix's and Convoy's are the model.
 */

export interface CatalogEntry {
  /** A type, or a pattern (`*`) where the platform names more than can be listed. */
  type: string;
  kind: CatalogKind;
  platform?: string;
  description: string;
  schema: Record<string, unknown>;
  example: unknown;
}

const MILESTONE_DESCRIPTIONS: Record<MilestoneType, string> = {
  "link.created": "A link of the graph was made (contract §5)",
  "pr.shipped": "A pull request reached an environment for the first time, with the deploy that shipped it",
  "issue.shipped": "An issue reached an environment for the first time: a deploy shipped a PR closing or naming it",
  "deploy.changes": "What a deploy ships since the previous one: commits, PRs, issues (told again if the range moves)",
  "pr.reverted": "A pull request was reverted",
  "deploy.rolled_back": "A deploy rolled an environment back to an earlier deploy",
  "incident.linked": "An incident's most likely cause, told again when a better one appears",
};

/** JSON Schema of a zod schema; a `format` (date-time, uuid) says enough without zod's long pattern for it. */
const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, {
    io: "output",
    override: ({ jsonSchema: s }) => {
      if (s.format && s.pattern) delete s.pattern;
    },
  }) as Record<string, unknown>;

/** An event's data as relayed, for one platform and type (a pattern's type is any string). */
/** An event's data as relayed, example values. */
const eventExample = (platform: string, type: string) => ({
  id: "01930000-0000-7000-8000-000000000001",
  platform,
  type,
  deliveryId: "3f2b4c1e-0000-4000-8000-000000000000",
  occurredAt: "2026-01-15T10:00:00.000Z",
  receivedAt: "2026-01-15T10:00:01.000Z",
  actor: "octocat",
  subject: null as string | null,
  keys: [] as string[],
  priority: "normal",
});

function eventEntry(platform: string, type: string, description: string): CatalogEntry {
  const pattern = type.includes("*");
  const schema = EventDataSchema.extend({
    platform: z.literal(platform),
    type: pattern ? z.string().meta({ description: `matches ${type}` }) : z.literal(type),
  });
  const example = eventExample(platform, pattern ? type.replaceAll("*", "production") : type);
  return { type, kind: "event", platform, description, schema: jsonSchema(schema), example };
}

function milestoneEntry(type: MilestoneType): CatalogEntry {
  return {
    type,
    kind: "milestone",
    description: MILESTONE_DESCRIPTIONS[type],
    schema: jsonSchema(MILESTONE_DATA[type]),
    example: MILESTONE_EXAMPLES[type],
  };
}

const TEST_ENTRY = {
  type: "switchyard.test",
  kind: "test",
  description: "A test message: POST /api/subscriptions/:name/test",
  schema: jsonSchema(TestDataSchema),
  example: { subscription: "deploys-to-ci", message: "A test message from Switchyard" },
} satisfies CatalogEntry;

/** A published event as relayed: the unified event with the `data` its publisher sent (any JSON object). */
const customSchema = (type: string) =>
  jsonSchema(
    EventDataSchema.extend({
      platform: z.literal("custom"),
      type: z.literal(type),
      data: z.record(z.string(), z.unknown()).meta({ description: "what the publisher sent: any JSON object" }),
    }),
  );

let fixed: CatalogEntry[] | undefined;

/** Every type known without the database: the platforms', the milestones', the test message. Built once. */
export function fixedCatalog(): CatalogEntry[] {
  fixed ??= [
    ...Object.values(RECEIVER_MODULES).flatMap((m) =>
      m.eventTypes.map((d) => eventEntry(m.platform, d.type, d.description)),
    ),
    ...(Object.keys(MILESTONE_DATA) as MilestoneType[]).map(milestoneEntry),
    TEST_ENTRY,
  ];
  return fixed;
}

/** The published custom types as catalog entries. */
export const customEntries = (published: PublishedType[]): CatalogEntry[] =>
  published.map((p) => ({
    type: p.type,
    kind: "custom",
    platform: "custom",
    description: `A custom event, ${p.type.split(".").slice(1).join(" ")}, as published`,
    schema: customSchema(p.type),
    example: customExample(p),
  }));

/** The latest published body of a type (its payload) as a subscriber receives it. */
function customExample(p: PublishedType) {
  const sent = (p.example ?? {}) as { subject?: string; keys?: string[]; data?: Record<string, unknown> };
  return {
    ...eventExample("custom", p.type),
    subject: sent.subject ?? null,
    keys: sent.keys ?? [],
    data: sent.data ?? {},
  };
}
