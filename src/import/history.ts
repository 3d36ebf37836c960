import type { Delivery, Platform } from "../shared/event.js";

/**
 * History import (issue 17): a platform's API read page by page and turned into the deliveries its
 * webhooks would have carried, so the pipeline stores and correlates them like any other.
 */

/** A delivery as an import makes it; the runner adds the queue's id, platform, content type and source. */
export interface ImportedDelivery extends Pick<Delivery, "deliveryId" | "type" | "priority" | "body"> {
  /** When the webhook would have been delivered (the change's own time), so time-based reads place it there. */
  receivedAt: string;
  /** The headers the platform's webhook would carry that normalize reads (never a signature). */
  headers?: Record<string, string>;
}

/** One page of one resource. */
export interface HistoryPage {
  deliveries: ImportedDelivery[];
  /** Items of the resource this page read (PRs, issues, …), for progress. */
  items: number;
  /** Where the next page starts; null once the resource is done. Saved after the page is enqueued. */
  next: string | null;
}

/** One resource of a platform's history (pull requests, issues, deployments, …), read from a saved cursor. */
export interface HistoryResource {
  name: string;
  /** The page at `cursor` (null: the first page). Honours the platform's rate limits; throws on a lasting failure. */
  page(cursor: string | null): Promise<HistoryPage>;
}

/** What one import reads: a platform's resources for one scope (a repository, a team). */
export interface HistorySource {
  platform: Platform;
  /** `owner/name` for GitHub; a team key, or `*` for every team, for Linear. */
  scope: string;
  resources: HistoryResource[];
}
