import { typesOf } from "../event-types.js";

/** `pagerduty.<event_type>` (classify.ts): PagerDuty's V3 webhook event types. */
export const pagerdutyEventTypes = [
  ...typesOf("pagerduty.incident", "A PagerDuty incident", [
    "triggered",
    "acknowledged",
    "unacknowledged",
    "resolved",
    "reopened",
    "reassigned",
    "escalated",
    "delegated",
    "priority_updated",
    "annotated",
    "responder.added",
    "responder.replied",
    "status_update_published",
    "conference_bridge.updated",
    "custom_field_values.updated",
    "incident_type.changed",
  ]),
  ...typesOf("pagerduty.service", "A PagerDuty service", ["created", "updated", "deleted"]),
];
