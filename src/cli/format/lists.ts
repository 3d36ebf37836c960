import { table } from "./table.js";
import { clip, when } from "./values.js";
import type {
  CustomRule,
  Event,
  OutboundDelivery,
  Page,
  Rule,
  StoredDelivery,
  Subscription,
} from "../../api/schemas/answers.js";

const more = (next: string | null) => (next ? `\nmore: --cursor ${next}` : "");

export function eventsTable(page: Page<Pick<Event, "id" | "type" | "occurredAt" | "subject" | "actor">>): string {
  const rows = page.items.map((e) => [when(e.occurredAt), e.type, e.subject, e.actor, e.id]);
  return table(["occurred", "type", "subject", "actor", "id"], rows, "no events") + more(page.next);
}

export function deliveriesTable(
  page: Page<Pick<StoredDelivery, "id" | "platform" | "deliveryId" | "receivedAt" | "status" | "error">>,
): string {
  const rows = page.items.map((d) => [when(d.receivedAt), d.platform, d.status, d.deliveryId, d.id, clip(d.error, 50)]);
  return (
    table(["received", "platform", "status", "delivery id", "id", "error"], rows, "no deliveries") + more(page.next)
  );
}

/** A rule of GET /api/rules, either kind, with what `rules list` reads. */
type RuleItem = Pick<Rule, "name" | "builtin" | "enabled"> &
  Partial<Pick<Extract<Rule, { builtin: true }>, "relation" | "confidence" | "description">> & {
    version?: number;
    definition?: { on?: string; link?: Partial<CustomRule["link"]> };
  };

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

/** What `subscriptions list` reads of GET /api/subscriptions. */
type SubscriptionItem = Pick<Subscription, "name" | "kind" | "url" | "channel" | "moveTo"> &
  Partial<Pick<Subscription, "types" | "enabled" | "disabledReason" | "where">>;

/** Where a subscription sends: its URL, Slack channel, or Linear (and the state it moves issues to). */
function target(s: SubscriptionItem): string {
  if (s.url) return s.url;
  if (s.channel) return `#${s.channel.replace(/^#/, "")}`;
  return s.moveTo ? `${s.kind}, move to ${s.moveTo}` : s.kind;
}

/**
 * GET /api/subscriptions (`{items}`). Why a subscription was disabled (a 410, failing for too long)
 * is a column of its own, there only when some subscription has a reason.
 */
export function subscriptionsTable(answer: { items: SubscriptionItem[] }): string {
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

export type Attempt = Omit<OutboundDelivery, "attemptLog">;

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
