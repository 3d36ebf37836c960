/** Shapes shared by every stage of the pipeline (contract §3). */

export const PLATFORMS = ["github", "slack", "linear", "deploy"] as const;
export type Platform = (typeof PLATFORMS)[number];

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
}

/** Platform-specific rows; a delivery produces one or two (GitHub deployments also make a deploy row). */
export interface PlatformRows {
  github?: GithubRow;
  slack?: SlackRow;
  linear?: LinearRow;
  deployment?: DeploymentRow;
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

export type DeployStatus = "queued" | "started" | "succeeded" | "failed" | "cancelled" | "inactive";

export interface DeploymentRow {
  source: "github" | "generic";
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
