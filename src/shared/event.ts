/** Shapes shared by every stage of the pipeline (contract §3). */

export const PLATFORMS = [
  "github",
  "slack",
  "linear",
  "deploy",
  "pagerduty",
  "sentry",
  "vercel",
  "netlify",
  "circleci",
  "argocd",
  "gitlab",
  // Events published through POST /api/events (docs/outbound.md "Publishing events"): no webhook receiver.
  "custom",
] as const;
export type Platform = (typeof PLATFORMS)[number];
/** The platforms with a receiver at /webhooks/<platform>. */
export type WebhookPlatform = Exclude<Platform, "custom">;
export const WEBHOOK_PLATFORMS = PLATFORMS.filter((p): p is WebhookPlatform => p !== "custom");

export const PRIORITIES = ["critical", "high", "normal", "low"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** What the receiver puts on the queue: the verbatim delivery plus what it learnt verifying it. */
export interface Delivery {
  id: string;
  platform: Platform;
  deliveryId: string;
  /** ISO-8601 */
  receivedAt: string;
  contentType: string | null;
  /** Lower-cased, non-secret request headers. */
  headers: Record<string, string>;
  /** Exact raw body, UTF-8. */
  body: string;
  type: string;
  priority: Priority;
  /** `import`: made by a history import from the platform's API (docs/import.md); absent for webhooks. */
  source?: "import";
}

/** Platform-specific rows; a delivery produces one or two (GitHub deployments also make a deploy row). */
export interface PlatformRows {
  github?: GithubRow;
  slack?: SlackRow;
  linear?: LinearRow;
  deployment?: DeploymentRow;
  incident?: IncidentRow;
  gitlab?: GitlabRow;
}

export interface GithubRow {
  name: string;
  action: string | null;
  repository: string | null;
  number: number | null;
  sha: string | null;
  ref: string | null;
  baseRef: string | null;
  headRef: string | null;
  state: string | null;
  merged: boolean | null;
  title: string | null;
  url: string | null;
  sender: string | null;
}

/** A GitLab webhook event: the `gitlab_events` row. `repository` is the project's id `gitlab:group/project`. */
export interface GitlabRow {
  /** The body's object_kind (`merge_request`, `push`, `deployment`, …). */
  name: string;
  action: string | null;
  repository: string | null;
  /** A merge request's or issue's iid. */
  iid: number | null;
  sha: string | null;
  ref: string | null;
  state: string | null;
  merged: boolean | null;
  title: string | null;
  url: string | null;
  sender: string | null;
}

export interface SlackRow {
  teamId: string | null;
  kind: string;
  subtype: string | null;
  channel: string | null;
  user: string | null;
  ts: string | null;
  threadTs: string | null;
  text: string | null;
  command: string | null;
  actionIds: string[];
}

export interface LinearRow {
  entityType: string;
  action: string;
  entityId: string | null;
  identifier: string | null;
  teamKey: string | null;
  title: string | null;
  state: string | null;
  url: string | null;
  actor: string | null;
}

/** Who reported a deploy: a sender's own webhook, GitHub's deployments, or the generic body (contract §2). */
export const DEPLOY_SOURCES = ["github", "generic", "gitlab", "argocd", "vercel", "netlify", "circleci"] as const;
export type DeploySource = (typeof DEPLOY_SOURCES)[number];

export type DeployStatus = "queued" | "started" | "succeeded" | "failed" | "cancelled" | "inactive";

export interface DeploymentRow {
  source: DeploySource;
  deployId: string;
  repository: string;
  environment: string;
  status: DeployStatus;
  sha: string | null;
  ref: string | null;
  url: string | null;
  service: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Where an incident came from: an incident sender, or an issue carrying an incident label (INCIDENT_LABELS). */
export const INCIDENT_SOURCES = ["pagerduty", "sentry", "github", "linear", "gitlab"] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];
export type IncidentStatus = "open" | "acknowledged" | "resolved";

/**
 * One incident event of an incident sender (PagerDuty, Sentry): the `incident_events` row. Times are
 * what the sender says; `at` is when this change happened (the sender's occurred-at, else receipt).
 */
export interface IncidentRow {
  source: IncidentSource;
  /** The sender's own id: PagerDuty's incident id, Sentry's issue id. */
  incidentId: string;
  /** What happened, in the sender's words (`incident.triggered`, `issue.resolved`). */
  action: string;
  /** The incident's status after this event. */
  status: IncidentStatus;
  title: string | null;
  /** The affected service as the sender names it (PagerDuty's service summary, Sentry's project slug). */
  service: string | null;
  environment: string | null;
  /** `owner/repo`, lower-case, when the sender names one. */
  repository: string | null;
  url: string | null;
  urgency: string | null;
  /** When the incident began, if the sender says (PagerDuty's created_at, Sentry's firstSeen). */
  openedAt: Date | null;
  at: Date;
  /** Text naming what may have caused it (description, release, commit): searched for PR, commit and deploy references. */
  text: string | null;
}

/** A delivery turned into the unified event (contract §3), ready to store. */
export interface NormalizedEvent {
  type: string;
  occurredAt: Date;
  actor: string | null;
  subject: string | null;
  keys: string[];
  payload: unknown;
  rows: PlatformRows;
}

/** A normalized event as stored: what correlation reads, fresh from a delivery or loaded back. */
export interface StoredEvent extends NormalizedEvent {
  id: string;
  platform: Platform;
}
