import type { PlatformFacts } from "../correlate/extract-facts.js";
import type { Config } from "../shared/config.js";
import type { Delivery, NormalizedEvent, Platform, PlatformRows, Priority } from "../shared/event.js";
import type { EventTypeDecl } from "./event-types.js";

/** The request as a receiver sees it: the exact raw body and lower-cased headers. */
export interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  rawBody: Buffer;
  body: string;
}

/** A verified delivery, identified and classified cheaply enough for the receive path. */
export interface Accepted {
  deliveryId: string;
  type: string;
  priority: Priority;
  /**
   * What names the signed bytes for the replay check when the signature header can be respelled and
   * still verify: the receiver's own canonical signature (the body's HMAC under the first configured
   * secret). PagerDuty's header is a list (reordered, or with signatures under other secrets added);
   * Sentry's is trimmed before it is compared, so padding would verify under a new key. Both take it,
   * so a body signed anew with another configured secret is the same delivery. Else the header is used.
   */
  replaySignature?: string;
}

/** A verified request answered directly, without enqueueing (Slack's url_verification). */
export interface Answered {
  answer: { status: number; body: unknown };
}

/** One sender's receiver: verifies with the platform's own scheme and names the delivery. */
export interface Receiver {
  contentTypes: readonly string[];
  /**
   * Request headers stored with the delivery besides content-type and user-agent: never signatures
   * or credentials (contract §6).
   */
  keepHeaders?: readonly string[];
  /**
   * The signature header, when the signature covers the body only (GitHub) or a timestamp inside it
   * (Linear, ±60 s), or nothing beside the body (PagerDuty, Sentry): a token holder could re-post such
   * a body under a fresh delivery id, so the signed body is remembered. Slack and Standard Webhooks
   * sign a timestamp (and id) outside it.
   */
  replaySignatureHeader?: string;
  /** Throws `Refused` (shared/errors.ts) for what it refuses; runs before any parsing the signature does not cover. */
  accept(req: RawRequest): Promise<Accepted | Answered>;
}

/** A payload value fit to be part of an event type: a word (GitHub has `on-demand-test` too), else nothing. */
export const typeWord = (v: unknown) => (typeof v === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : undefined);

export function header(req: RawRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Everything the pipeline knows of one platform. A new platform is a folder with these parts and
 * one line in registry.ts.
 */
export interface PlatformModule {
  platform: Platform;
  /** The environment variable holding its secrets (contract §1); without one the receiver answers 503. */
  secretsVariable:
    | "GITHUB_WEBHOOK_SECRET"
    | "SLACK_SIGNING_SECRET"
    | "LINEAR_WEBHOOK_SECRET"
    | "DEPLOY_WEBHOOK_SECRET"
    | "PAGERDUTY_WEBHOOK_SECRET"
    | "SENTRY_CLIENT_SECRET"
    | "GITLAB_WEBHOOK_SECRET"
    | "ARGOCD_WEBHOOK_SECRET"
    | "VERCEL_WEBHOOK_SECRET"
    | "NETLIFY_WEBHOOK_SECRET"
    | "CIRCLECI_WEBHOOK_SECRET";
  /** The environment variable holding its body limit (contract §2). */
  maxBytesVariable:
    | "WEBHOOK_MAX_BYTES_GITHUB"
    | "WEBHOOK_MAX_BYTES_SLACK"
    | "WEBHOOK_MAX_BYTES_LINEAR"
    | "WEBHOOK_MAX_BYTES_DEPLOY"
    | "WEBHOOK_MAX_BYTES_PAGERDUTY"
    | "WEBHOOK_MAX_BYTES_SENTRY"
    | "WEBHOOK_MAX_BYTES_GITLAB"
    | "WEBHOOK_MAX_BYTES_ARGOCD"
    | "WEBHOOK_MAX_BYTES_VERCEL"
    | "WEBHOOK_MAX_BYTES_NETLIFY"
    | "WEBHOOK_MAX_BYTES_CIRCLECI";
  /**
   * Verifies and classifies (type, priority) a request, with every secret for rotation. The config is for
   * what a sender needs decided at receipt (CircleCI: which workflows are deploys); the decision travels in the type.
   */
  receiver: (secrets: string[], config: Config) => Receiver;
  /** The stored delivery → the unified event and its platform rows. */
  normalize: (d: Delivery) => NormalizedEvent;
  /** The event's correlation facts beyond what every event has (its keys, a deployment row). */
  facts: PlatformFacts;
  /** Its platform row kind: the table store/deliveries.ts writes for it. */
  row: keyof PlatformRows;
  /** What a worker partitions batches by: its repository, team or channel. */
  partitionKey: (e: NormalizedEvent) => string;
  /** The event types it emits, for the catalog and for checking subscriptions' globs (event-types.ts). */
  eventTypes: readonly EventTypeDecl[];
}

/**
 * What the pipeline needs of a platform: every platform's, including `custom` (events published through
 * the API, which has no receiver, secret or body limit of its own).
 */
export type PipelineModule = Pick<PlatformModule, "normalize" | "facts" | "partitionKey"> & { platform: Platform };
