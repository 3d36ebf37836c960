import { bounded, LIMITS, text, boundedName } from "../../shared/bounds.js";
import type { Delivery, IncidentRow, NormalizedEvent } from "../../shared/event.js";
import { incidentKey, keysFromUrls, uniqueKeys } from "../../shared/keys.js";
import { firstDate, storableDate } from "../../shared/time.js";
import { joinText, objectOf } from "../incident-fields.js";
import { sentryHookTime } from "./hook-time.js";

type Obj = Record<string, unknown>;
/** What an incident event of Sentry tells; `hookAt` is when Sentry sent it (hook-time.ts). */
type FromPayload = (action: string, data: Obj, hookAt: Date) => Omit<IncidentRow, "source" | "action"> | null;

const url = (v: unknown) => bounded(v, LIMITS.urlBytes);
/** Sentry ids are digit strings; some payloads give numbers. */
const idOf = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? String(v) : boundedName(v));
const firstName = (v: unknown) => (Array.isArray(v) ? boundedName(v[0]) : null);
/** An event's tag (`[["environment", "production"], …]`). */
function tag(tags: unknown, key: string): string | null {
  if (!Array.isArray(tags)) return null;
  const pair: unknown = tags.find((t) => Array.isArray(t) && t[0] === key);
  return Array.isArray(pair) ? boundedName(pair[1]) : null;
}

/** An issue changed: created, resolved, assigned, archived (ignored), unresolved. */
const fromIssue: FromPayload = (action, data, hookAt) => {
  const issue = objectOf(data.issue);
  const incidentId = idOf(issue.id);
  if (!incidentId) return null;
  const details = objectOf(issue.statusDetails);
  const reopens = action === "created" || action === "unresolved";
  return {
    incidentId,
    status: action === "resolved" || (!reopens && issue.status === "resolved") ? "resolved" : "open",
    title: text(issue.title),
    service: boundedName(objectOf(issue.project).slug),
    environment: null,
    repository: null,
    url: url(issue.web_url) ?? url(issue.permalink),
    urgency: null,
    openedAt: storableDate(issue.firstSeen),
    at: hookAt,
    text: joinText(
      issue.title,
      issue.shortId,
      issue.culprit,
      objectOf(issue.metadata).value,
      details.inRelease,
      objectOf(details.inCommit).commit,
    ),
  };
};

/** An issue alert rule fired on one event of the issue. */
const fromEventAlert: FromPayload = (_action, data, hookAt) => {
  const event = objectOf(data.event);
  const incidentId = idOf(event.issue_id);
  if (!incidentId) return null;
  return {
    incidentId,
    status: "open",
    title: text(event.title),
    service: boundedName(event.project_slug) ?? (typeof event.project === "string" ? boundedName(event.project) : null),
    environment: boundedName(event.environment) ?? tag(event.tags, "environment"),
    repository: null,
    url: url(event.web_url) ?? url(event.url),
    urgency: null,
    openedAt: null,
    at: firstDate(hookAt, event.datetime),
    // The release is often the commit SHA that shipped: what correlation looks for.
    text: joinText(event.title, event.culprit, event.release, event.message, objectOf(event.metadata).value),
  };
};

/**
 * A metric alert's incident: critical, warning or resolved. Its id is not an issue's, so it is named
 * `metric-alert-<id>`, apart from the issues.
 */
const fromMetricAlert: FromPayload = (action, data, hookAt) => {
  const alert = objectOf(data.metric_alert);
  const id = idOf(alert.id);
  if (!id) return null;
  const rule = objectOf(alert.alert_rule);
  const resolved = action === "resolved";
  return {
    incidentId: `metric-alert-${id}`,
    status: resolved ? "resolved" : "open",
    title: text(data.description_title) ?? text(alert.title),
    service: firstName(rule.projects) ?? firstName(alert.projects),
    environment: boundedName(rule.environment),
    repository: null,
    url: url(data.web_url),
    urgency: resolved ? null : boundedName(action),
    openedAt: storableDate(alert.date_started) ?? storableDate(alert.date_detected),
    at: resolved ? firstDate(hookAt, alert.date_closed) : hookAt,
    text: joinText(data.description_title, data.description_text, rule.query),
  };
};

const INCIDENT_RESOURCES: Record<string, FromPayload> = {
  issue: fromIssue,
  event_alert: fromEventAlert,
  metric_alert: fromMetricAlert,
};

/**
 * A Sentry integration webhook `{action, actor, data, installation}`. Issues, issue alerts and metric
 * alerts make incident rows; installations, comments and error events are stored without one.
 */
export function normalizeSentry(d: Delivery): NormalizedEvent {
  const p = objectOf(JSON.parse(d.body));
  const data = objectOf(p.data);
  const [, resource = "unknown", action = "unknown"] = d.type.split(".");
  const hookAt = sentryHookTime(d.headers["sentry-hook-timestamp"], d.receivedAt);
  const from = Object.hasOwn(INCIDENT_RESOURCES, resource) ? INCIDENT_RESOURCES[resource]! : undefined;
  const told = from?.(action, data, hookAt);
  const incident: IncidentRow | undefined = told
    ? { ...told, source: "sentry", action: `${resource}.${action}` }
    : undefined;
  const subject = incident ? incidentKey("sentry", incident.incidentId) : null;
  const comment = resource === "comment" ? text(data.comment) : null;
  return {
    type: d.type,
    occurredAt: incident?.at ?? hookAt,
    actor: text(objectOf(p.actor).name),
    subject,
    keys: uniqueKeys(subject, keysFromUrls(incident?.text ?? comment)),
    payload: p,
    rows: incident ? { incident } : {},
  };
}
