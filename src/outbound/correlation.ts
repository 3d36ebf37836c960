import type { OutboxItem } from "../shared/outbound.js";
import { isIssueKey, isPrKey, PREFIX } from "../shared/keys.js";

/**
 * The entity chain a message belongs to (its envelope's `correlationId`, docs/outbound.md): the key a
 * consumer groups by, so an issue's events, its PRs' shipping and the deploys that follow read as one
 * story. Pure: from the outbox item alone.
 */
export type Correlated = Pick<OutboxItem, "kind" | "type" | "subject" | "data">;

/** `data[field].key` when it is a string (milestone data names entities as `{ key, … }`). */
function keyAt(data: unknown, field: string): string | null {
  const ref = (data as Record<string, unknown> | null)?.[field];
  const key = (ref as Record<string, unknown> | null | undefined)?.key;
  return typeof key === "string" && key ? key : null;
}

/** Which entity of each milestone it is about; `link.created` and unknown types are handled below. */
const MILESTONE_ENTITY: Record<string, string> = {
  "issue.shipped": "issue",
  "pr.shipped": "pullRequest",
  "pr.reverted": "pullRequest",
  "deploy.changes": "deploy",
  "deploy.rolled_back": "deploy",
  "incident.linked": "incident",
};

/** A link is about the issue it touches, if either end is one; else its `from` end. */
function linkCorrelation(data: unknown): string | null {
  const link = (data as { link?: { from?: unknown; to?: unknown } } | null)?.link;
  const ends = [link?.to, link?.from].filter((k): k is string => typeof k === "string" && k !== "");
  return ends.find(isIssueKey) ?? (typeof link?.from === "string" && link.from ? link.from : null);
}

const isLinearIssue = (key: string) => key.startsWith(PREFIX.linearIssue);

/**
 * An event's chain: a Linear issue it names if any, else a PR (or merge request), else its subject,
 * else its first key. Read from the unified event's `subject` and `keys` (its data), the item's subject first.
 */
function eventCorrelation(item: Correlated): string | null {
  const data = item.data as { subject?: unknown; keys?: unknown } | null;
  const keys = Array.isArray(data?.keys) ? data.keys.filter((k): k is string => typeof k === "string" && k !== "") : [];
  const subject = item.subject ?? (typeof data?.subject === "string" ? data.subject : null);
  const named = subject ? [subject, ...keys] : keys;
  return named.find(isLinearIssue) ?? named.find(isPrKey) ?? named[0] ?? null;
}

/** The message's correlation id: an entity key, or null when it names none. */
export function correlationId(item: Correlated): string | null {
  if (item.kind === "event") return eventCorrelation(item);
  if (item.type === "link.created") return linkCorrelation(item.data);
  const field = MILESTONE_ENTITY[item.type];
  return (field ? keyAt(item.data, field) : null) ?? item.subject;
}
