import type { Priority } from "../../shared/event.js";
import { typeWord } from "../platform.js";

import { objectOf } from "../incident-fields.js";

type Obj = Record<string, unknown>;

/**
 * `event.event_type` when it is dotted words (`incident.responder.added`): each part a type word, at
 * most four parts; else undefined.
 */
export function pagerdutyEventType(payload: Obj): string | undefined {
  const value = objectOf(payload.event).event_type;
  if (typeof value !== "string") return undefined;
  const parts = value.split(".");
  return parts.length <= 4 && parts.every((p) => typeWord(p) === p) ? value : undefined;
}

/** `pagerduty.<event_type>`, e.g. `pagerduty.incident.triggered`. */
export const pagerdutyType = (eventType: string | undefined) => `pagerduty.${eventType ?? "unknown"}`;

/**
 * An incident opening (triggered, reopened) is critical, every other incident event high, the rest
 * (services) normal: docs/operations.md "The ingest queue".
 */
export function pagerdutyPriority(eventType: string | undefined): Priority {
  if (eventType === "incident.triggered" || eventType === "incident.reopened") return "critical";
  return eventType?.startsWith("incident.") ? "high" : "normal";
}
