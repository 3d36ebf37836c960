import { typesOf } from "../event-types.js";

/** `sentry.<resource>.<action>` (classify.ts): the resources and actions of Sentry's integration webhooks. */
export const sentryEventTypes = [
  ...typesOf("sentry.issue", "A Sentry issue", [
    "created",
    "resolved",
    "assigned",
    "archived",
    "unresolved",
    "ignored",
  ]),
  ...typesOf("sentry.error", "A Sentry error event", ["created"]),
  ...typesOf("sentry.event_alert", "A Sentry issue alert", ["triggered"]),
  ...typesOf("sentry.metric_alert", "A Sentry metric alert", ["critical", "warning", "resolved"]),
  ...typesOf("sentry.comment", "A Sentry comment", ["created", "updated", "deleted"]),
  ...typesOf("sentry.installation", "The Sentry integration's installation", ["created", "deleted"]),
];
