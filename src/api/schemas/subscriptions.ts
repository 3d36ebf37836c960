import { z } from "zod";
import { pageOf, time } from "./common.js";
import { PRIORITIES } from "../../shared/event.js";
import { DIGEST_PERIODS, SUBSCRIPTION_KINDS } from "../../shared/outbound.js";

/** A subscription as the API shows it (contract §9): never its secrets, only how many sign. */
export const SubscriptionSchema = z
  .strictObject({
    name: z.string(),
    kind: z.enum(SUBSCRIPTION_KINDS),
    url: z.string().nullable().optional().meta({ description: "webhook: the URL, credentials masked (`***`)" }),
    channel: z.string().nullable().optional().meta({ description: "slack: the channel" }),
    moveTo: z.string().nullable().optional().meta({ description: "linear: the state shipped issues move to" }),
    digest: z
      .enum(DIGEST_PERIODS)
      .nullable()
      .optional()
      .meta({ description: "slack: one summary per period instead of a message per event" }),
    repository: z.string().optional().meta({ description: "github-dispatch: owner/name" }),
    eventType: z.string().optional().meta({ description: "github-dispatch: repository_dispatch's event_type" }),
    workflow: z.string().optional().meta({ description: "github-dispatch: the workflow_dispatch workflow" }),
    ref: z.string().optional().meta({ description: "github-dispatch: the ref the workflow runs on" }),
    types: z.array(z.string()),
    where: z.strictObject({
      environment: z.string().optional(),
      repository: z.string().optional(),
      platform: z.string().optional(),
    }),
    enabled: z.boolean(),
    minPriority: z.enum(PRIORITIES).nullable().meta({ description: "only messages of this priority or above" }),
    rateLimit: z.number().nullable().meta({ description: "messages per second at most; the rest wait in order" }),
    maxInFlight: z.number().int().nullable().meta({ description: "attempts in flight at once" }),
    allowUnknownTypes: z.boolean().meta({ description: "types were accepted though no known type matches them" }),
    disabledReason: z.string().nullable().meta({ description: "why the service disabled it" }),
    failingSince: time.nullable(),
    breaker: z
      .strictObject({
        failures: z.number().int().meta({ description: "consecutive failed attempts" }),
        openUntil: time.nullable().meta({ description: "open (nothing sent) until then; null: closed" }),
      })
      .meta({ description: "the endpoint's circuit breaker" }),
    secretCount: z.number().int().optional().meta({ description: "webhook: how many secrets sign" }),
    createdAt: time,
    updatedAt: time,
  })
  .meta({ id: "Subscription" });

export const SubscriptionListSchema = z.strictObject({ items: z.array(SubscriptionSchema) }).meta({
  id: "SubscriptionList",
});

/** A subscription just saved: `secret` once, when the service generated the signing secret. */
export const SavedSubscriptionSchema = SubscriptionSchema.extend({
  secret: z.string().optional().meta({ description: "the generated signing secret, shown this once" }),
}).meta({ id: "SavedSubscription" });

/** POST /api/subscriptions/:name/test. */
export const TestMessageSchema = z
  .strictObject({
    id: z.uuid(),
    status: z.string().meta({ description: "`/api/subscriptions/<name>/deliveries/<id>`" }),
    queued: z.boolean().meta({ description: "false: Redis was slow; the sweeper sends it within about a minute" }),
  })
  .meta({ id: "TestMessage" });

export const MESSAGE_STATUSES = ["pending", "succeeded", "failed", "dead"] as const;

export const AttemptSchema = z
  .strictObject({
    attempt: z.number().int(),
    at: time,
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int(),
    error: z.string().nullable(),
    response: z.string().nullable().meta({ description: "the first bytes of the answer" }),
  })
  .meta({ id: "Attempt" });

const message = {
  id: z.uuid(),
  type: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: time.nullable(),
  createdAt: time,
};

/** A message to a subscription, as its list shows it (`attemptLog` with `attemptLog=true`). */
export const OutboundDeliverySchema = z
  .strictObject({ ...message, attemptLog: z.array(AttemptSchema).optional() })
  .meta({ id: "OutboundDelivery" });

export const OutboundDeliveryPageSchema = pageOf(OutboundDeliverySchema).meta({ id: "OutboundDeliveryPage" });

/** GET /api/subscriptions/:name/deliveries/:id: with its payload and every attempt. */
export const OutboundDeliveryDetailSchema = z
  .strictObject({
    ...message,
    updatedAt: time,
    payload: z
      .unknown()
      .meta({ description: "`{type, timestamp, data, version, correlationId, causationId}` as sent" }),
    attemptLog: z.array(AttemptSchema),
  })
  .meta({ id: "OutboundDeliveryDetail" });

/** POST /api/subscriptions/:name/deliveries/:id/retry. */
export const MessageRetriedSchema = z
  .strictObject({
    id: z.uuid(),
    attempt: z.number().int(),
    status: z.literal("pending"),
    queued: z.boolean().meta({ description: "false: the sweeper sends it within about a minute" }),
  })
  .meta({ id: "MessageRetried" });

export const SubscriptionRecoveredSchema = z
  .strictObject({
    recovered: z.number().int().meta({ description: "dead or failed messages made due now" }),
    queued: z.boolean().meta({ description: "false: the sweeper sends them within about a minute" }),
    more: z.boolean().meta({ description: "true: 10,000 were recovered and more may remain; call again" }),
  })
  .meta({ id: "SubscriptionRecovered" });
