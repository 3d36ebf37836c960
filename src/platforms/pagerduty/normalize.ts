import { bounded, LIMITS, text } from "../../shared/bounds.js";
import type { Delivery, IncidentRow, IncidentStatus, NormalizedEvent } from "../../shared/event.js";
import { incidentKey, keysFromUrls, uniqueKeys } from "../../shared/keys.js";
import { firstDate, storableDate } from "../../shared/time.js";
import { joinText, objectOf } from "../incident-fields.js";

type Obj = Record<string, unknown>;

/** The status an incident event type leaves the incident in; others say it in `data.status`. */
const BY_EVENT: Record<string, IncidentStatus> = {
  "incident.triggered": "open",
  "incident.reopened": "open",
  "incident.unacknowledged": "open",
  "incident.acknowledged": "acknowledged",
  "incident.resolved": "resolved",
};
const BY_STATUS: Record<string, IncidentStatus> = {
  triggered: "open",
  acknowledged: "acknowledged",
  resolved: "resolved",
};

const statusOf = (eventType: string | null, data: Obj): IncidentStatus | null =>
  (eventType && Object.hasOwn(BY_EVENT, eventType) ? BY_EVENT[eventType] : undefined) ??
  (typeof data.status === "string" && Object.hasOwn(BY_STATUS, data.status) ? BY_STATUS[data.status]! : null);

/**
 * A PagerDuty v3 webhook `{event: {id, event_type, resource_type, occurred_at, agent, client, data}}`.
 * An event whose data is the incident makes an incident row; notes, responders and status updates
 * (their data names the incident by reference) are about it but carry no status, so they make none.
 */
export function normalizePagerduty(d: Delivery): NormalizedEvent {
  const p = objectOf(JSON.parse(d.body));
  const event = objectOf(p.event);
  const data = objectOf(event.data);
  const eventType = text(event.event_type);
  const occurredAt = firstDate(new Date(d.receivedAt), event.occurred_at);
  const isIncident = data.type === "incident";
  const incidentRef = isIncident ? data : objectOf(data.incident);
  const incidentId = event.resource_type === "incident" ? bounded(incidentRef.id, LIMITS.nameBytes) : null;
  const subject = incidentId ? incidentKey("pagerduty", incidentId) : null;
  const title = text(data.title) ?? text(incidentRef.summary);
  const bodyText = joinText(
    title,
    data.description,
    objectOf(data.body).details,
    data.content, // incident_note
    data.message, // incident_status_update, incident_responder
  );
  const status = isIncident ? statusOf(eventType, data) : null;
  const incident: IncidentRow | undefined =
    incidentId && status
      ? {
          source: "pagerduty",
          incidentId,
          action: eventType ?? "unknown",
          status,
          title,
          service: bounded(objectOf(data.service).summary, LIMITS.nameBytes),
          environment: null,
          repository: null,
          url: bounded(data.html_url, LIMITS.urlBytes),
          urgency: bounded(data.urgency, LIMITS.nameBytes),
          openedAt: storableDate(data.created_at),
          at: occurredAt,
          text: bodyText,
        }
      : undefined;
  return {
    type: d.type,
    occurredAt,
    actor: text(objectOf(event.agent).summary),
    subject,
    keys: uniqueKeys(subject, keysFromUrls(bodyText)),
    payload: p,
    rows: incident ? { incident } : {},
  };
}
