/** A type glob (`github.pull_request.*`, `?` for one character) as a SQL LIKE pattern. */
export function globToLike(glob: string): string {
  return glob
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replaceAll("*", "%")
    .replaceAll("?", "_");
}

/** Whether `seg` (literal characters and `?`) matches `text` at `at`. */
function segmentAt(seg: string, text: string, at: number): boolean {
  for (let i = 0; i < seg.length; i++) if (seg[i] !== "?" && seg[i] !== text[at + i]) return false;
  return true;
}

/** First position in [from, to] where `seg` matches, or -1. */
function findSegment(seg: string, text: string, from: number, to: number): number {
  if (!seg.includes("?")) {
    const at = text.indexOf(seg, from);
    return at >= 0 && at <= to ? at : -1;
  }
  for (let at = from; at <= to; at++) if (segmentAt(seg, text, at)) return at;
  return -1;
}

/**
 * Compiles a glob (`*` any run, `?` one UTF-16 code unit) into a predicate, without building a RegExp.
 * The glob splits at `*` into segments; the first is pinned to the start, the last to the end, and each middle one
 * is taken at its leftmost occurrence after the previous one. Taking the leftmost occurrence is always safe (it
 * leaves the most text for the rest), so nothing is retried: the cost is one scan of the text per segment, at most
 * O(text × glob) with `?`-heavy segments and linear for literal ones — never exponential.
 */
export function compileGlob(glob: string): (text: string) => boolean {
  const parts = glob.split("*");
  const first = parts[0]!;
  if (parts.length === 1) return (text) => text.length === first.length && segmentAt(first, text, 0);
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== "");
  const fixed = first.length + last.length + middle.reduce((n, p) => n + p.length, 0);
  return (text) => {
    if (text.length < fixed) return false;
    const end = text.length - last.length;
    if (!segmentAt(first, text, 0) || !segmentAt(last, text, end)) return false;
    let pos = first.length;
    for (const seg of middle) {
      const at = findSegment(seg, text, pos, end - seg.length);
      if (at < 0) return false;
      pos = at + seg.length;
    }
    return true;
  };
}

/** Whether `text` matches `glob` (`*` any run, `?` one character); linear for literal segments, see compileGlob. */
export function matchesGlob(glob: string, text: string): boolean {
  return compileGlob(glob)(text);
}

/** compileGlob without case: for names written either way (`Production`, `acme/Web`). */
export function compileGlobIgnoreCase(glob: string): (text: string) => boolean {
  const matches = compileGlob(glob.toLowerCase());
  return (text) => matches(text.toLowerCase());
}
