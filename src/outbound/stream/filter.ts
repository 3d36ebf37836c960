import type { OutboxItem, Where } from "../../shared/outbound.js";
import { compileFilter } from "../match.js";

/** What a live stream asks for (contract §10); every part given must match. */
export interface StreamFilter {
  /** Type globs (`deploy.*`); any one matching is enough. */
  types?: string[];
  /** Exact platform. */
  platform?: string;
  /** Exact entity key the message is about. */
  subject?: string;
  /** Globs as a subscription's `where` (contract §9): a message without the value does not match. */
  where?: Where;
}

export type FilterableItem = Pick<OutboxItem, "type" | "platform" | "subject" | "environment" | "repository">;

/**
 * The filter as one predicate, compiled once per stream rather than once per message. Types and
 * `where` match exactly as a subscription's do, so a stream shows what a subscription would send.
 */
export function compileStreamFilter(filter: StreamFilter): (item: FilterableItem) => boolean {
  const subscription = compileFilter(filter.types ?? [], filter.where);
  const { platform, subject } = filter;
  return (item) =>
    (platform === undefined || item.platform === platform) &&
    (subject === undefined || item.subject === subject) &&
    subscription(item);
}
