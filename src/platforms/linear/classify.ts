import { typeWord } from "../platform.js";
import type { Priority } from "../../shared/event.js";

/** `IssueLabel` → `issue_label` */
const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

/** `linear.<entity>.<action>`, e.g. `linear.issue.create`. */
export function linearType(payload: Record<string, unknown>): string {
  const type = typeWord(payload.type);
  return `linear.${type ? snake(type) : "unknown"}.${typeWord(payload.action) ?? "unknown"}`;
}

export const linearPriority = (): Priority => "normal";
