import { table } from "./table.js";
import { clip, when } from "./values.js";

/** A page of GET /api/events, /api/deliveries or a subscription's deliveries: `next` asks for the following one. */
interface Page<T> {
  items: T[];
  next: string | null;
}

const more = (next: string | null) => (next ? `\nmore: --cursor ${next}` : "");

export function eventsTable(
  page: Page<{ id: string; type: string; occurredAt: string; subject: string | null; actor: string | null }>,
): string {
  const rows = page.items.map((e) => [when(e.occurredAt), e.type, e.subject, e.actor, e.id]);
  return table(["occurred", "type", "subject", "actor", "id"], rows, "no events") + more(page.next);
}

export function deliveriesTable(
  page: Page<{
    id: string;
    platform: string;
    deliveryId: string;
    receivedAt: string;
    status: string;
    error: string | null;
  }>,
): string {
  const rows = page.items.map((d) => [when(d.receivedAt), d.platform, d.status, d.deliveryId, d.id, clip(d.error, 50)]);
  return (
    table(["received", "platform", "status", "delivery id", "id", "error"], rows, "no deliveries") + more(page.next)
  );
}

interface RuleItem {
  name: string;
  builtin: boolean;
  enabled: boolean;
  version?: number;
  relation?: string;
  confidence?: number;
  description?: string;
  definition?: { on?: string; link?: { relation?: string; confidence?: number } };
}

export function rulesTable(answer: { items: RuleItem[] }): string {
  const rows = answer.items.map((r) => [
    r.name,
    r.builtin ? "built-in" : `custom v${r.version ?? 1}`,
    r.enabled ? "yes" : "no",
    r.relation ?? r.definition?.link?.relation,
    r.confidence ?? r.definition?.link?.confidence,
    r.definition?.on ? `on ${r.definition.on}` : clip(r.description, 50),
  ]);
  return table(["name", "kind", "enabled", "relation", "confidence", "matches"], rows, "no rules");
}

interface Subscription {
  name: string;
  kind: string;
  url?: string;
  channel?: string;
  moveTo?: string | null;
  types?: string[];
  enabled?: boolean;
  disabledReason?: string | null;
  where?: Record<string, string> | null;
}

/** Where a subscription sends: its URL, Slack channel, or Linear (and the state it moves issues to). */
function target(s: Subscription): string {
  if (s.url) return s.url;
  if (s.channel) return `#${s.channel.replace(/^#/, "")}`;
  return s.moveTo ? `${s.kind}, move to ${s.moveTo}` : s.kind;
}

/**
 * GET /api/subscriptions (`{items}`). Why a subscription was disabled (a 410, failing for too long)
 * is a column of its own, there only when some subscription has a reason.
 */
export function subscriptionsTable(answer: { items: Subscription[] }): string {
  const why = answer.items.some((s) => s.disabledReason);
  const rows = answer.items.map((s) => [
    s.name,
    s.kind,
    clip(target(s), 50),
    (s.types ?? []).join(","),
    Object.entries(s.where ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(" "),
    s.enabled === false ? "no" : "yes",
    ...(why ? [clip(s.disabledReason, 200)] : []),
  ]);
  const head = ["name", "kind", "to", "types", "where", "enabled", ...(why ? ["disabled because"] : [])];
  return table(head, rows, "no subscriptions");
}

export interface Attempt {
  id: string;
  type: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

/** GET /api/subscriptions/:name/deliveries: a page of messages. */
export function attemptsTable(page: Page<Attempt>): string {
  const rows = page.items.map((a) => [
    when(a.createdAt),
    a.id,
    a.type,
    a.status,
    a.attempts,
    a.lastStatusCode,
    // Pending ones and failed ones waiting for their next try have a time; succeeded and dead ones none.
    a.status === "pending" || a.status === "failed" ? when(a.nextAttemptAt) : "",
    clip(a.lastError, 40),
  ]);
  const head = ["created", "id", "type", "status", "attempts", "last code", "next attempt", "last error"];
  return table(head, rows, "no deliveries") + more(page.next);
}
