import type { Priority } from "../../shared/event.js";

/** `IssueLabel` → `issue_label` */
const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

/** `linear.<entity>.<action>`, e.g. `linear.issue.create`. */
export function linearType(payload: Record<string, unknown>): string {
  const entity = typeof payload.type === "string" ? snake(payload.type) : "unknown";
  const action = typeof payload.action === "string" ? payload.action : "unknown";
  return `linear.${entity}.${action}`;
}

export const linearPriority = (): Priority => "normal";
