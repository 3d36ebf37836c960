import { typesOf } from "../event-types.js";

/** `deploy.<status>`: the generic deploy webhook's statuses (body.ts), a closed set. */
export const deployEventTypes = typesOf("deploy", "A deploy reported to /webhooks/deploy", [
  "queued",
  "started",
  "succeeded",
  "failed",
  "cancelled",
]);
