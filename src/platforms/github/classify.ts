import { typeWord } from "../platform.js";
import type { Priority } from "../../shared/event.js";

/** `github.<event>[.<action>]`; `event` is already a checked event name. */
export function githubType(event: string, payload: Record<string, unknown>): string {
  const action = typeWord(payload.action);
  return action ? `github.${event}.${action}` : `github.${event}`;
}

const LOW = new Set(["ping", "star", "watch", "fork", "gollum", "meta", "sponsorship", "marketplace_purchase"]);

/** The value if it is an object, else an empty one: a signed payload may still hold any shape. */
const object = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Priority table: see docs/operations.md "The ingest queue". */
export function githubPriority(event: string, payload: Record<string, unknown>): Priority {
  if (event === "deployment_status") {
    const state = object(payload.deployment_status).state;
    return state === "failure" || state === "error" ? "critical" : "high";
  }
  if (event === "deployment") return "high";
  if (event === "pull_request" && payload.action === "closed") {
    return object(payload.pull_request).merged === true ? "high" : "normal";
  }
  return LOW.has(event) ? "low" : "normal";
}
