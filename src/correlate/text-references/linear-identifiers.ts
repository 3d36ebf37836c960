/** Linear identifiers (`ENG-42`) in prose and in Linear issue URLs, by Linear's own grammar. */
import { unique } from "./unique.js";

const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/** Team key (1–7 letters/digits), `-`, 1–9 digits, then the word ends. Linear's `\w{1,7}-[0-9]{1,9}`. */
const TOKEN = /([A-Za-z0-9]{1,7})-(\d{1,9})(?![A-Za-z0-9])/y;

/**
 * The identifier candidate starting at `at`. It must start a word: Linear's `\b` or `(?<=_)`, so `_`, `-`,
 * `/` and other punctuation all start words. null: no candidate, or part of a version (`ios-1.57.0`, Linear's
 * `(?!\.\d)`; `v1.2-3`). `id: null`: a candidate that is read and refused, as Linear refuses it after
 * matching (leading zero `LIN-0004`), or a date-like chain `2023-12-11`; reading it whole keeps its tail
 * (`2023-04-11-245a825`) from yielding `11-245`.
 */
export function tokenAt(text: string, at: number): { id: string | null; end: number } | null {
  if (isAlnum(text[at - 1])) return null;
  TOKEN.lastIndex = at;
  const m = TOKEN.exec(text);
  if (!m) return null;
  const [key, num] = [m[1]!, m[2]!];
  const end = at + m[0].length;
  if ((text[end] === "." && isDigit(text[end + 1])) || (text[at - 1] === "." && isDigit(text[at - 2]))) return null;
  const dateLike = /^\d+$/.test(key) && text[end] === "-" && isDigit(text[end + 1]);
  return { id: num[0] === "0" || dateLike ? null : `${key.toUpperCase()}-${num}`, end };
}

/** Past `-12.3-4`: the rest of a refused numeric chain. */
function skipNumberChain(text: string, i: number): number {
  while ((text[i] === "-" || text[i] === ".") && isDigit(text[i + 1])) {
    i += 2;
    while (isDigit(text[i])) i++;
  }
  return i;
}

/** Every identifier in `text`, scanning word starts left to right (Linear's global match). */
export function scanIdentifiers(text: string): string[] {
  const out: string[] = [];
  const words = /[A-Za-z0-9]+/g;
  for (let w; (w = words.exec(text));) {
    const t = tokenAt(text, w.index);
    if (!t) continue;
    if (t.id) out.push(t.id);
    words.lastIndex = t.id ? t.end : skipNumberChain(text, t.end);
  }
  return unique(out);
}

/** Linear issue URLs; the slug after the identifier is part of the URL. Linear's LINEAR_ISSUE_URL_REGEX. */
const LINEAR_URL = /https?:\/\/linear\.app\/[\w-]+\/issue\/([A-Za-z0-9]{1,7}-\d{1,9})(?![A-Za-z0-9])(?:\/[\w-]*)*/gi;

/** Linear issue URLs stand for their identifier (Linear's normalizeLinearUrls). */
export const replaceLinearUrls = (text: string) => text.replace(LINEAR_URL, "$1");

/** Bare identifiers in prose (PR titles, Slack text): Linear's identifier grammar, upper-cased, unique. */
export function linearIdentifiers(text: string | null | undefined): string[] {
  return text ? scanIdentifiers(replaceLinearUrls(text)) : [];
}

/** Identifiers in Linear issue URLs (`https://linear.app/acme/issue/ENG-42/title`). */
export function linearUrlIdentifiers(text: string | null | undefined): string[] {
  if (!text) return [];
  return unique([...text.matchAll(LINEAR_URL)].flatMap((m) => scanIdentifiers(m[1]!)));
}
