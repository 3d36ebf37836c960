import leven from "leven";
import { compileGlob } from "../../shared/glob.js";

/**
 * A subscription's `types` checked against the catalog: a glob must hold only what a type can
 * (letters, digits, `_ - .`, plus the globs `*` and `?`) and, unless unknown types are allowed, match
 * at least one known type or pattern. Pure: the caller gives the known types.
 */

/** What a type can hold (every platform's classify.ts builds types of typeWord parts joined by dots). */
export const TYPE_CHARACTERS = /^[A-Za-z0-9_.-]+$/;
const GLOB_CHARACTERS = /^[A-Za-z0-9_.*?-]+$/;

/**
 * Whether two globs can match one same type: a walk over both at once where a `*` on either side
 * may take nothing or the other's next character. Memoized, so O(|a|·|b|) (types are ≤ 200 characters).
 */
export function globsOverlap(a: string, b: string): boolean {
  const seen = new Set<number>();
  const walk = (i: number, j: number): boolean => {
    if (i === a.length && j === b.length) return true;
    const id = i * (b.length + 1) + j;
    if (seen.has(id)) return false;
    seen.add(id);
    if (a[i] === "*") return walk(i + 1, j) || (j < b.length && walk(i, j + 1));
    if (b[j] === "*") return walk(i, j + 1) || (i < a.length && walk(i + 1, j));
    if (i === a.length || j === b.length) return false;
    return (a[i] === b[j] || a[i] === "?" || b[j] === "?") && walk(i + 1, j + 1);
  };
  return walk(0, 0);
}

/** A type and its globbed forms (`github.pull_request.*`, `github.*`): what a glob close to it would be. */
function candidates(type: string, glob: string): string[] {
  if (!glob.includes("*")) return [type];
  const parts = type.split(".");
  return [type, ...parts.slice(1).map((_, i) => [...parts.slice(0, i + 1), "*"].join("."))];
}

/** The known type (or glob of one) nearest to a glob no type matches, when it is near: a typo. */
export function suggestion(glob: string, known: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(glob.length / 4)));
  let best: { text: string; distance: number } | undefined;
  for (const type of known)
    for (const text of candidates(type, glob)) {
      const distance = leven(glob, text);
      if (distance <= limit && (!best || distance < best.distance)) best = { text, distance };
    }
  return best?.text;
}

/** The catalog's types split for matching: exact ones through compileGlob, patterns through globsOverlap. */
export interface KnownTypes {
  exact: readonly string[];
  patterns: readonly string[];
}

export const knownTypes = (types: readonly string[]): KnownTypes => ({
  exact: types.filter((t) => !t.includes("*")),
  patterns: types.filter((t) => t.includes("*")),
});

/** Whether any known type or pattern matches the glob. */
export function matchesKnown(glob: string, known: KnownTypes): boolean {
  const matches = compileGlob(glob);
  return known.exact.some(matches) || known.patterns.some((p) => globsOverlap(glob, p));
}

/**
 * The problems of a subscription's type globs, one message each naming the glob (`types[i]: …`); empty
 * when all are fine. `check` limits the test to some globs (a PUT checks only new ones).
 */
export function typeProblems(
  globs: readonly string[],
  known: KnownTypes,
  o: { allowUnknown: boolean; check?: (glob: string) => boolean },
): string[] {
  const problems: string[] = [];
  globs.forEach((glob, i) => {
    if (o.check && !o.check(glob)) return;
    const label = `types[${i}]: ${JSON.stringify(glob)}`;
    if (!GLOB_CHARACTERS.test(glob)) {
      problems.push(`${label} holds characters no type can have (letters, digits, _ - . and the globs * ?)`);
      return;
    }
    if (o.allowUnknown || matchesKnown(glob, known)) return;
    const near = suggestion(glob, known.exact);
    problems.push(
      `${label} matches no known type (GET /api/event-types)${near ? `; did you mean ${near}?` : ""}; ` +
        "give allowUnknownTypes: true to subscribe ahead of time",
    );
  });
  return problems;
}
