import { z } from "zod";
import { LIMITS } from "../../shared/bounds.js";
import { PRIORITIES } from "../../shared/event.js";
import { DIGEST_PERIODS, SUBSCRIPTION_KINDS } from "../../shared/outbound.js";
import { isSigningSecret, type SubscriptionDefinition } from "../../shared/subscriptions.js";
import { sqlText, typeGlob } from "../params.js";

/** A subscription's definition as POST and PUT take it (contract §9): validated at the edge, one shape per kind. */

const subscriptionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "lower-case letters, digits and dashes, 2–63 characters");

// The message never quotes the value: it is a secret.
const secret = z.string().refine(isSigningSecret, "must be whsec_ followed by the base64 of 24 to 64 random bytes");

const webhookUrl = z
  .url({ protocol: /^https?$/, message: "must be an http or https URL" })
  .refine((u) => Buffer.byteLength(u) <= LIMITS.urlBytes, `must be at most ${LIMITS.urlBytes} bytes`);

const where = z
  .strictObject(
    {
      environment: typeGlob.optional(),
      repository: typeGlob.optional(),
      platform: typeGlob.optional(),
    },
    {
      error: (i) =>
        i.code === "unrecognized_keys" ? `only environment, repository and platform can be matched` : undefined,
    },
  )
  .meta({ description: "globs on environment, repository and platform; all given must match" });

const common = {
  name: subscriptionName,
  types: z
    .array(typeGlob)
    .min(1, "list at least one type (globs allowed: deploy.*)")
    .max(50, "at most 50 types")
    .meta({ description: "event and milestone types, globs allowed (`deploy.*`, `issue.shipped`)" }),
  where: where.default({}),
  enabled: z.boolean().default(true),
  minPriority: z
    .enum(PRIORITIES)
    .optional()
    .meta({ description: "only messages of this priority or above (an event's priority; milestones are high)" }),
  rateLimit: z
    .number()
    // The limiter's Redis keys live an hour at least: one message an hour is the slowest pace it keeps.
    .min(1 / 3600, "at least 1/3600 (one message an hour)")
    .max(10_000, "at most 10000 messages per second")
    .optional()
    .meta({ description: "messages per second at most; the rest wait in order, none is dropped" }),
  maxInFlight: z
    .number()
    .int()
    .min(1, "at least 1")
    .max(1000, "at most 1000")
    .optional()
    .meta({ description: "attempts in flight at once (default OUTBOUND_MAX_IN_FLIGHT_PER_SUBSCRIPTION)" }),
  allowUnknownTypes: z
    .boolean()
    .optional()
    .meta({ description: "accept types no known type matches (subscribing ahead of time)" }),
};

/** A kind's definition; any other field is refused, naming the kind. */
const kindObject = <S extends z.core.$ZodLooseShape>(kind: string, shape: S) =>
  z.strictObject(shape, {
    error: (i) =>
      i.code === "unrecognized_keys" ? `unknown field(s) for a ${kind} subscription: ${i.keys.join(", ")}` : undefined,
  });

const webhookDefinition = kindObject("webhook", {
  ...common,
  kind: z.literal("webhook"),
  url: webhookUrl,
  secret: secret
    .optional()
    .meta({ description: "your own signing secret; one is generated (and shown once) if none is given" }),
  secrets: z
    .array(secret)
    .min(1, "at least one secret")
    .max(5, "at most 5 secrets")
    .optional()
    .meta({ description: "several secrets during a rotation: each signs every message" }),
});
const slackDefinition = kindObject("slack", {
  ...common,
  kind: z.literal("slack"),
  channel: sqlText(80).meta({ description: "a channel id (C0123…) or #name" }),
  digest: z
    .enum(DIGEST_PERIODS)
    .optional()
    .meta({ description: "one summary per period (what shipped where, failures, incidents) instead of one per event" }),
});
const linearDefinition = kindObject("linear", {
  ...common,
  kind: z.literal("linear"),
  moveTo: sqlText(LIMITS.nameBytes).optional().meta({ description: "the workflow state shipped issues move to" }),
});

const repositoryName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be owner/name")
  // `.` and `..` are path segments, not names: `../..` would leave /repos/ once the URL is normalised.
  .refine((r) => r.split("/").every((part) => part !== "." && part !== ".."), "must be owner/name")
  .max(LIMITS.nameBytes)
  .meta({ description: "the GitHub repository dispatched to (owner/name)" });
const dispatchDefinition = kindObject("github-dispatch", {
  ...common,
  kind: z.literal("github-dispatch"),
  repository: repositoryName,
  eventType: sqlText(100)
    .optional()
    .meta({ description: "repository_dispatch's event_type (give this, or workflow and ref)" }),
  workflow: sqlText(LIMITS.nameBytes)
    .optional()
    .meta({ description: "workflow_dispatch: the workflow's file name or id" }),
  ref: sqlText(LIMITS.nameBytes).optional().meta({ description: "workflow_dispatch: the branch or tag it runs on" }),
});

export const definition = z
  .discriminatedUnion("kind", [webhookDefinition, slackDefinition, linearDefinition, dispatchDefinition], {
    error: (i) => (i.code === "invalid_union" ? `kind: must be one of ${SUBSCRIPTION_KINDS.join(", ")}` : undefined),
  })
  .refine((d) => !(d.kind === "webhook" && d.secret && d.secrets), {
    message: "give secret or secrets, not both",
    path: ["secrets"],
  })
  .refine(
    (d) => d.kind !== "github-dispatch" || (d.eventType !== undefined) !== (d.workflow !== undefined || !!d.ref),
    { message: "give eventType (repository_dispatch), or workflow and ref (workflow_dispatch)", path: ["eventType"] },
  )
  .refine((d) => d.kind !== "github-dispatch" || (d.workflow === undefined) === (d.ref === undefined), {
    message: "workflow_dispatch needs both workflow and ref",
    path: ["ref"],
  })
  .transform((d): SubscriptionDefinition => d as SubscriptionDefinition);
export type Definition = z.output<typeof definition>;
