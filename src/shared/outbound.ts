/**
 * Shapes of what Switchyard tells others (contract §9, §10): shared by the graph, the relay, the senders and the
 * stream.
 */
import type { MilestoneData } from "./message-schemas.js";

/** The milestones the graph tells of (contract §9); their data is MilestoneData. */
export type MilestoneType = keyof MilestoneData;

/** The fields of a message a subscription's or a stream's `where` can name (contract §9, §10). */
export const WHERE_FIELDS = ["environment", "repository", "platform"] as const;
export type WhereField = (typeof WHERE_FIELDS)[number];
/** `where`: a glob per field, all of which must match. */
export type Where = Partial<Record<WhereField, string>>;

export const SUBSCRIPTION_KINDS = ["webhook", "slack", "linear", "github-dispatch"] as const;
export type SubscriptionKind = (typeof SUBSCRIPTION_KINDS)[number];

/** Slack digests: one summary per period instead of a message per event. */
export const DIGEST_PERIODS = ["hourly", "daily"] as const;
export type DigestPeriod = (typeof DIGEST_PERIODS)[number];

/**
 * A `github-dispatch` subscription's target: `repository_dispatch` with `eventType`, or
 * `workflow_dispatch` of `workflow` (a file name or id) on `ref`.
 */
export type DispatchTarget =
  { repository: string; eventType: string } | { repository: string; workflow: string; ref: string };

/** A message of the outbox as the relay hands it on: numbered, with what `where` filters read. */
export interface OutboxItem {
  /** Gap-free, in relay order; the live stream resumes from it. A bigint as a decimal string. */
  position: string;
  /** The event's id, or the milestone's. */
  id: string;
  kind: "event" | "milestone";
  type: string;
  platform: string | null;
  repository: string | null;
  environment: string | null;
  subject: string | null;
  /** The unified event without `payload`, or the milestone's data. */
  data: unknown;
  /** ISO-8601: when it was stored. */
  createdAt: string;
}

/** The envelope's schema version: raised when a field of the envelope changes meaning (docs/outbound.md). */
export const ENVELOPE_VERSION = "1";

/** What every told message and stream item carries besides its data (docs/outbound.md, "Message envelope"). */
export interface Envelope {
  /** ENVELOPE_VERSION when it was made. */
  version: string;
  /** The entity chain it belongs to (an entity key, outbound/correlation.ts), or null. */
  correlationId: string | null;
  /** What caused it: the outbox row's id (the event's or the milestone's); null for `switchyard.test`. */
  causationId: string | null;
}

/**
 * What a subscription is sent (Standard Webhooks body), with the envelope: every message made now has
 * it; messages stored before it (version "1") have only `type`, `timestamp` and `data`.
 */
export interface MessageBody extends Partial<Envelope> {
  type: string;
  timestamp: string;
  data: unknown;
}

/** The Redis channel on which relays publish `OutboxItem[]` batches, in position order. */
export const outboxChannel = (redisPrefix: string) => `${redisPrefix}:outbox`;

// ---- Milestone data (contract §9): described once in zod (message-schemas.ts), typed from there. ----

export type { DeployRef, EntityRef, IncidentRef, LinkRef, MilestoneData } from "./message-schemas.js";

// ---- Sending ----

/** A subscription as a sender needs it. */
export interface SubscriptionTarget {
  id: string;
  name: string;
  kind: SubscriptionKind;
  url: string | null;
  channel: string | null;
  moveTo: string | null;
  /** github-dispatch: where and what it dispatches. */
  dispatch: DispatchTarget | null;
  /** `whsec_…`, every one signs (rotation). */
  secrets: string[];
}

/** One message as a sender sends it. */
export interface OutgoingMessage {
  /** The `webhook-id`: the same on every attempt. */
  id: string;
  /** 1 for the first attempt. */
  attempt: number;
  payload: MessageBody;
  /** The payload's JSON as stored, when the caller has it: webhooks send and sign exactly these bytes. */
  body?: string;
}

/** What one attempt came to. */
export interface SendOutcome {
  ok: boolean;
  statusCode: number | null;
  /** Why it failed (never a secret). */
  error?: string;
  /** The first bytes of the answer, for the attempt log. */
  response?: string;
  /** The destination asked for this delay (`Retry-After` on 429/503, Slack's ratelimited). */
  retryAfterMs?: number;
  /** 410 Gone: disable the subscription. */
  gone?: boolean;
  /** Retrying cannot help (refused destination, bad configuration): dead at once. */
  permanent?: boolean;
}

export type Sender = (target: SubscriptionTarget, message: OutgoingMessage) => Promise<SendOutcome>;

/** A failed attempt's outcome, with no status code unless given. */
export const failedOutcome = (error: string, extra: Partial<SendOutcome> = {}): SendOutcome => ({
  ok: false,
  statusCode: null,
  error,
  ...extra,
});
