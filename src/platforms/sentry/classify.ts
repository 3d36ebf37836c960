import type { Priority } from "../../shared/event.js";
import { typeWord } from "../platform.js";

/** `Sentry-Hook-Resource` is bounded like every event name of contract §2. */
export const RESOURCE = /^[a-z_]{1,64}$/;

/** `sentry.<resource>.<action>`, e.g. `sentry.issue.created`; `resource` is already a checked name. */
export const sentryType = (resource: string, payload: Record<string, unknown>) =>
  `sentry.${resource}.${typeWord(payload.action) ?? "unknown"}`;

/**
 * Alerts a team set up to fire (issue alerts, critical metric alerts) are critical; issue changes and
 * other metric alerts high; every error event low (there can be very many); the rest normal:
 * docs/operations.md "The ingest queue".
 */
export function sentryPriority(type: string): Priority {
  const [, resource, action] = type.split(".");
  if (resource === "event_alert" || (resource === "metric_alert" && action === "critical")) return "critical";
  if (resource === "issue" || resource === "metric_alert") return "high";
  return resource === "error" ? "low" : "normal";
}
