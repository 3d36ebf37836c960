import type { Priority } from "../../shared/event.js";

/** A payload value fit to be part of a type: a word, else nothing (a signed body may hold any shape). */
const word = (v: unknown) => (typeof v === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : undefined);

/** `IssueLabel` → `issue_label` */
const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

/** `linear.<entity>.<action>`, e.g. `linear.issue.create`. */
export function linearType(payload: Record<string, unknown>): string {
  const type = word(payload.type);
  return `linear.${type ? snake(type) : "unknown"}.${word(payload.action) ?? "unknown"}`;
}

export const linearPriority = (): Priority => "normal";
