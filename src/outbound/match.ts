import { compileGlob, compileGlobIgnoreCase } from "../shared/glob.js";
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
    return glob === undefined ? [] : [{ field: f, matches: compileGlobIgnoreCase(glob) }];
  });
  return (item) =>
    (typeGlobs.length === 0 || typeGlobs.some((m) => m(item.type))) &&
    fields.every(({ field, matches }) => {
      const value = item[field];
      return value !== null && matches(value);
    });
}
