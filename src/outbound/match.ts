import { compileGlob, compileGlobIgnoreCase } from "../shared/glob.js";
import { globMayName } from "../shared/keys.js";
import { WHERE_FIELDS, type OutboxItem, type Where, type WhereField } from "../shared/outbound.js";

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
