import { compileGlob, compileGlobIgnoreCase } from "../shared/glob.js";
import { globMayName } from "../shared/keys.js";
import { WHERE_FIELDS, type OutboxItem, type Where, type WhereField } from "../shared/outbound.js";
import { PRIORITIES, type Priority } from "../shared/event.js";

type Matchable = Pick<OutboxItem, "type" | WhereField>;

/**
 * Compiles `types` globs (as in contract §6: case-sensitive, like event types) and `where` globs
 * (case-insensitive: environment and repository names are written in many cases) into one
 * predicate. A `where` field the message does not have never matches.
 */
export function compileFilter(types: string[], where: Where = {}): (item: Matchable) => boolean {
  const typeGlobs = types.map(compileGlob);
  const fields = WHERE_FIELDS.flatMap((f) => {
    const glob = where[f];
    if (glob === undefined) return [];
    const matches = compileGlobIgnoreCase(glob);
    // A repository glob names GitLab projects only when it says so (shared/keys.ts globMayName).
    return [{ field: f, matches: f === "repository" ? (v: string) => globMayName(glob, v) && matches(v) : matches }];
  });
  return (item) =>
    (typeGlobs.length === 0 || typeGlobs.some((m) => m(item.type))) &&
    fields.every(({ field, matches }) => {
      const value = item[field];
      return value !== null && matches(value);
    });
}

/**
 * An outbox item's priority (a subscription's `minPriority`, issue 18): an event's own, from its
 * data; a milestone counts as `high` (it tells of a change worth telling); an event without one
 * (none should be) as `normal`.
 */
export function priorityOf(item: Pick<OutboxItem, "kind" | "data">): Priority {
  if (item.kind === "milestone") return "high";
  const p = (item.data as { priority?: unknown } | null)?.priority;
  return PRIORITIES.includes(p as Priority) ? (p as Priority) : "normal";
}

/** The item is at or above `min` (PRIORITIES runs from the highest); every item when there is no minimum. */
export const meetsPriority = (item: Pick<OutboxItem, "kind" | "data">, min: Priority | null): boolean =>
  min === null || PRIORITIES.indexOf(priorityOf(item)) <= PRIORITIES.indexOf(min);
