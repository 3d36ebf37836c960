/** Linear magic words (`Fixes ENG-42`) in PR descriptions and commit messages. */
import { replaceLinearUrls, tokenAt } from "./linear-identifiers.js";
import { dropSquashDump, proseOnly } from "./prose.js";
import { unwrapRevert } from "./reverts.js";

export interface Magic {
  identifier: string;
  /** `reverts`: named by a magic word inside an odd-depth `Revert "…"` subject (Linear's reverted references). */
  relation: "closes" | "references" | "reverts";
}

/** Closing words close the issue on merge; linking words link it. Linear's CLOSING_WORDS, CONTRIBUTING_PHRASES. */
const CLOSING = [
  String.raw`close[sd]?|closing|fix(?:e[sd])?|fixing|resolve[sd]?|resolving`,
  String.raw`complete[sd]?|completing|implement(?:s|ed|ing)?`,
].join("|");
const LINKING = String.raw`refs?|references|part of|related to|relates to|contributes to|towards?`;
const MAGIC = new RegExp(String.raw`\b(?:(${CLOSING})|(${LINKING}))[\s:]+`, "gi");

/** Past the separators of an identifier list: whitespace, `,`, `&` and the word `and` (Linear's list grammar). */
function skipListSeparators(line: string, i: number): number {
  const and = /and(?![\w])/iy;
  for (;;) {
    const c = line[i];
    if (c === "," || c === "&" || (c !== undefined && /\s/.test(c))) i++;
    else if (!/\w/.test(line[i - 1] ?? "") && ((and.lastIndex = i), and.test(line))) i += 3;
    else return i;
  }
}

/**
 * Identifiers right after a magic word on the same line (`Fixes ENG-1, ENG-2 and ENG-3`): Linear's
 * `\b(magic)[\s:]+(ID(?:(?:[\s,]|\band\b|&)+ID)*)`, read per line after its issue URLs became identifiers.
 */
type RelationOf = (closing: boolean) => Magic["relation"];
function magicIn(text: string, relationOf: RelationOf = (closing) => (closing ? "closes" : "references")) {
  const out: Magic[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = replaceLinearUrls(raw);
    MAGIC.lastIndex = 0;
    for (let m; (m = MAGIC.exec(line));) {
      let i = MAGIC.lastIndex;
      for (let t; (t = tokenAt(line, i));) {
        if (t.id) out.push({ identifier: t.id, relation: relationOf(m[1] !== undefined) });
        const j = skipListSeparators(line, t.end);
        i = j > t.end ? j : t.end;
        if (j === t.end) break;
      }
      MAGIC.lastIndex = Math.max(i, MAGIC.lastIndex);
    }
  }
  return out;
}

/** One entry per identifier (and per reverts), in order of first mention; `closes` outranks `references`. */
function merge(refs: Magic[]): Magic[] {
  const seen = new Map<string, Magic>();
  for (const r of refs) {
    const key = `${r.identifier}|${r.relation === "reverts"}`;
    const had = seen.get(key);
    if (!had) seen.set(key, { ...r });
    else if (r.relation === "closes") had.relation = "closes";
  }
  return [...seen.values()];
}

/** PR descriptions: identifiers after magic words on the same line; code and HTML comments excluded. */
export function magicWordIdentifiers(text: string | null | undefined): Magic[] {
  return text ? merge(magicIn(proseOnly(text))) : [];
}

/**
 * Conventions that link a commit without a magic word: a subject starting `[ENG-1]`, `(ENG-1)`, or `ENG-1`
 * followed by whitespace or `: ` (Linear's COMMON_SUBJECT_PATTERNS; `ENG-1:x` and a bare `ENG-1` do not).
 */
const SUBJECT_PATTERNS = [
  /^\s*\[([A-Za-z0-9]{1,7}-\d{1,9})\]/,
  /^\s*\(([A-Za-z0-9]{1,7}-\d{1,9})\)/,
  /^\s*([A-Za-z0-9]{1,7}-\d{1,9})(?=:?\s)/,
];

function subjectIdentifiers(subject: string): string[] {
  const ids = SUBJECT_PATTERNS.map((p) => p.exec(subject)?.[1]).filter((x) => x !== undefined);
  return ids.flatMap((id) => (/-0/.test(id) ? [] : [id.toUpperCase()]));
}

/**
 * Linear references in a commit message: subject-leading identifiers, magic words (code excluded), squash dumps
 * ignored, revert depth parity applied. An odd-depth revert never closes or links what its quoted subject names:
 * those magic-word identifiers come back as `reverts`; the revert author's own text after the subject still
 * counts. Even depth (`Revert "Revert "…""`) behaves like the original commit.
 */
export function commitMessageReferences(message: string | null | undefined): Magic[] {
  if (!message) return [];
  const revert = unwrapRevert(message);
  if (revert.depth % 2 === 1) {
    const own = magicIn(proseOnly(dropSquashDump(revert.after + revert.body)));
    const undone = magicIn(proseOnly(dropSquashDump(revert.inner)), () => "reverts");
    return merge([...own, ...undone]);
  }
  const text = proseOnly(dropSquashDump(message));
  const subject = revert.depth > 0 ? proseOnly(revert.inner) : text.split(/\r?\n/)[0]!;
  const linked = subjectIdentifiers(subject).map((identifier): Magic => ({ identifier, relation: "references" }));
  return merge([...linked, ...magicIn(text)]);
}
