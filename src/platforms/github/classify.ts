import type { Priority } from "../../shared/event.js";

/** `github.<event>[.<action>]` */
export function githubType(event: string, payload: Record<string, unknown>): string {
  return typeof payload.action === "string" ? `github.${event}.${payload.action}` : `github.${event}`;
}

const LOW = new Set(["ping", "star", "watch", "fork", "gollum", "meta", "sponsorship", "marketplace_purchase"]);

/** Priority table: see README "Queue priorities". */
export function githubPriority(event: string, payload: Record<string, unknown>): Priority {
  if (event === "deployment_status") {
    const state = (payload.deployment_status as { state?: string } | undefined)?.state;
    return state === "failure" || state === "error" ? "critical" : "high";
  }
  if (event === "deployment") return "high";
  if (event === "pull_request" && payload.action === "closed") {
    return (payload.pull_request as { merged?: boolean } | undefined)?.merged ? "high" : "normal";
  }
  return LOW.has(event) ? "low" : "normal";
}
