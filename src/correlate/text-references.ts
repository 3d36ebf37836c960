/**
 * What free text (branch names, PR titles and bodies, commit and Slack messages) refers to: Linear
 * identifiers and magic words, GitHub closing keywords, reverts, squash and merge subjects, URLs.
 * Rules and their sources: docs/correlation.md, "Text references" (Linear's own extractor in
 * linear/linear-release, GitHub's "Linking a pull request to an issue", semantic-release/issue-parser, CommonMark).
 *
 * Linear time on JS's backtracking engine: every quantified part of a pattern is followed by something it
 * cannot match (so a failed attempt backs off at most once per character), patterns start only at fixed
 * anchors, and the hand-written scanners only move forward. The timing tests feed 64 KiB adversarial text.
 */

export interface Magic {
  identifier: string;
  /** `reverts`: named by a magic word inside an odd-depth `Revert "…"` subject (Linear's reverted references). */
  relation: "closes" | "references" | "reverts";
}

/** A GitHub issue or PR; `repo` is `owner/name`, lower-cased. */
export type IssueRef = { repo: string; number: number };

// ---------------------------------------------------------------------------------------------------------
// Linear identifiers

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
function tokenAt(text: string, at: number): { id: string | null; end: number } | null {
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
function scanIdentifiers(text: string): string[] {
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
const replaceLinearUrls = (text: string) => text.replace(LINEAR_URL, "$1");

/** Bare identifiers in prose (PR titles, Slack text): Linear's identifier grammar, upper-cased, unique. */
export function linearIdentifiers(text: string | null | undefined): string[] {
  return text ? scanIdentifiers(replaceLinearUrls(text)) : [];
}

/** Identifiers in Linear issue URLs (`https://linear.app/acme/issue/ENG-42/title`). */
export function linearUrlIdentifiers(text: string | null | undefined): string[] {
  if (!text) return [];
  return unique([...text.matchAll(LINEAR_URL)].flatMap((m) => scanIdentifiers(m[1]!)));
}

// ---------------------------------------------------------------------------------------------------------
// Branch names and reverts

/** GitHub names a revert PR's branch `revert-<reverted PR>-<its branch>`, possibly after an `org/` prefix. */
function parseRevertBranch(branch: string): { depth: number; number: number | null; inner: string } {
  // Linear strips a leading `org/` up to the first `/revert-N-` (`^.*?\/(?=revert-\d+-)`).
  const nested = /^revert-\d+-/i.test(branch) ? -1 : branch.search(/\/revert-\d+-/i);
  const prefix = /revert-(\d+)-/iy;
  prefix.lastIndex = nested >= 0 ? nested + 1 : 0;
  let [depth, number, at] = [0, null as number | null, prefix.lastIndex];
  for (let m; (m = prefix.exec(branch)); at = prefix.lastIndex) {
    if (depth++ === 0) number = Number(m[1]); // the outermost layer is the PR this branch reverts
  }
  return { depth, number, inner: branch.slice(at) };
}

/**
 * Identifiers in a branch name: every identifier links (Linear). A revert branch of odd depth
 * (`revert-571-romain/bac-39`) names the work it undoes, so it adds nothing; even depth re-applies it.
 */
export function branchIdentifiers(branch: string | null | undefined): string[] {
  if (!branch) return [];
  const { depth, inner } = parseRevertBranch(branch);
  return depth % 2 === 1 ? [] : scanIdentifiers(inner);
}

/** What an odd-depth revert branch undoes (Linear's reverted references): `revert-1-eng-5-x` → ENG-5. */
export function revertedBranchIdentifiers(branch: string | null | undefined): string[] {
  if (!branch) return [];
  const { depth, inner } = parseRevertBranch(branch);
  return depth % 2 === 1 ? scanIdentifiers(inner) : [];
}

/**
 * Unwraps `Revert "…"` layers of a message's subject line as Linear does: each layer is `^Revert "(.+)"(.*)$`
 * (case-insensitive, greedy: the layer ends at the last `"`). A subject that opens the quote without closing
 * it is read with the lines that follow (Linear's earlier whole-message parse). Walks indices backwards once.
 */
function unwrapRevert(message: string) {
  const nl = message.indexOf("\n");
  const firstLine = (nl < 0 ? message : message.slice(0, nl)).replace(/\r$/, "");
  const open = /^revert "/i.test(firstLine) && firstLine.lastIndexOf('"') < 9;
  const subject = open ? message : firstLine;
  const body = open || nl < 0 ? "" : message.slice(nl);
  let [depth, start, end] = [0, 0, subject.length];
  let [after, once] = ["", ""]; // the outer layer: text after its closing quote, and what it quotes
  while (subject.slice(start, start + 8).toLowerCase() === 'revert "') {
    const quote = subject.lastIndexOf('"', end - 1);
    if (quote < start + 9) break; // `.+` needs a character between the quotes
    if (depth === 0) [after, once] = [subject.slice(quote + 1), subject.slice(8, quote)];
    [start, end, depth] = [start + 8, quote, depth + 1];
  }
  return { depth, inner: subject.slice(start, end), once, after, body, subject };
}

/** `Revert "Revert "x""` → { depth: 2, inner: "x" }. Not a revert → depth 0 and the subject line itself. */
export function revertDepth(subject: string): { depth: number; inner: string } {
  const { depth, inner } = unwrapRevert(subject ?? "");
  return { depth, inner };
}

/** Which PR a revert PR reverts, by GitHub's conventions: body `Reverts o/r#7`, branch `revert-7-…`, title. */
export function revertOf(pr: { title?: string | null; body?: string | null; headRef?: string | null }, repo: string) {
  const byBody = /^Reverts ([\w.-]+\/[\w.-]+)?#(\d+)[ \t]*\r?$/m.exec(pr.body ?? "");
  const branch = parseRevertBranch(pr.headRef ?? "");
  const title = unwrapRevert(pr.title ?? "");
  return {
    body: byBody ? { repo: (byBody[1] ?? repo).toLowerCase(), number: Number(byBody[2]) } : null,
    branch: branch.number !== null ? { repo: repo.toLowerCase(), number: branch.number } : null,
    title: title.depth > 0 ? title.once : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Code, comments and squash dumps

const FENCE_OPEN = /^[ \t]*(?:>[ \t]*)*(`{3,}|~{3,})([^\n]*)$/;
const CODE_OPEN = /<code(?=[\s>])/iy;
const CODE_CLOSE = /<\/code>/iy;

/** Fenced blocks (``` or ~~~, CommonMark): from the opening line to a closing fence as long, or to the end. */
function markFences(text: string, hidden: Uint8Array): void {
  let close: RegExp | null = null;
  let [from, at] = [0, 0];
  for (const line of text.split("\n")) {
    const end = at + line.length;
    if (close) {
      if (close.test(line)) {
        hidden.fill(1, from, end);
        close = null;
      }
    } else {
      const m = FENCE_OPEN.exec(line);
      const [fence, info] = [m?.[1] ?? "", m?.[2] ?? ""];
      // A backtick fence's info string cannot contain a backtick (then it is inline code).
      if (m && !(fence[0] === "`" && info.includes("`"))) {
        close = new RegExp(String.raw`^[ \t]*(?:>[ \t]*)*${fence[0]}{${fence.length},}[ \t]*\r?$`);
        from = at;
      }
    }
    at = end + 1;
  }
  if (close) hidden.fill(1, from, text.length);
}

/**
 * Inline code spans (CommonMark: a run of n backticks up to the next run of exactly n in the same paragraph;
 * a backslash-escaped backtick opens nothing), HTML comments and nested `<code>` elements, whichever opens
 * first. Closers are looked up per run length with forward-only pointers.
 */
function markInline(text: string, hidden: Uint8Array): void {
  const runs: Array<{ at: number; len: number; escaped: boolean; para: number }> = [];
  let [para, blank, fenced] = [0, true, false];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") [para, blank, fenced] = [para + (blank || fenced ? 1 : 0), true, false];
    else if (hidden[i]) fenced = true;
    else if (c === "`") {
      let [j, slashes] = [i, 0];
      while (text[j] === "`") j++;
      while (text[i - 1 - slashes] === "\\") slashes++;
      runs.push({ at: i, len: j - i, escaped: slashes % 2 === 1, para });
      [i, blank] = [j - 1, false];
    } else if (c !== " " && c !== "\t" && c !== "\r") blank = false;
  }
  const byLen = new Map<number, number[]>();
  runs.forEach((r, k) => (byLen.get(r.len) ?? byLen.set(r.len, []).get(r.len)!).push(k));
  const next = new Map<number, number>();
  const closer = (k: number, len: number): number => {
    const list = byLen.get(len) ?? [];
    let p = next.get(len) ?? 0;
    while (p < list.length && list[p]! <= k) p++;
    next.set(len, p);
    return p < list.length && runs[list[p]!]!.para === runs[k]!.para ? list[p]! : -1;
  };
  let lastClose = -1;
  for (const m of text.matchAll(/<\/code>/gi)) lastClose = m.index;

  for (let i = 0, k = 0; i < text.length;) {
    if (hidden[i]) i++;
    else if (text[i] === "`") {
      while (runs[k]!.at < i) k++;
      const run = runs[k]!;
      const len = run.escaped ? run.len - 1 : run.len;
      const c = len > 0 ? closer(k, len) : -1;
      const end = c < 0 ? run.at + run.len : runs[c]!.at + runs[c]!.len;
      if (c >= 0) hidden.fill(1, run.escaped ? i + 1 : i, end);
      i = end;
    } else if (text.startsWith("<!--", i)) {
      const close = text.indexOf("-->", i + 4);
      const end = close < 0 ? text.length : close + 3; // unclosed: hidden to the end, like an HTML block
      hidden.fill(1, i, end);
      i = end;
    } else if (i < lastClose && ((CODE_OPEN.lastIndex = i), CODE_OPEN.test(text))) {
      const end = codeElementEnd(text, i);
      hidden.fill(1, i, end);
      i = end;
    } else i++;
  }
}

/** End of the `<code>` element opening at `at`, counting nested `<code>` elements. */
function codeElementEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at; (i = text.indexOf("<", i)) >= 0;) {
    CODE_OPEN.lastIndex = CODE_CLOSE.lastIndex = i;
    if (CODE_OPEN.test(text)) [depth, i] = [depth + 1, i + 5];
    else if (CODE_CLOSE.test(text)) {
      [depth, i] = [depth - 1, i + 7];
      if (depth === 0) return i;
    } else i++;
  }
  return text.length;
}

/** Text with code spans, fenced blocks, <code> elements and HTML comments blanked (line structure kept). */
export function proseOnly(text: string): string {
  if (!text) return "";
  const hidden = new Uint8Array(text.length);
  markFences(text, hidden);
  markInline(text, hidden);
  const chars = text.split("");
  hidden.forEach((h, i) => {
    if (h && chars[i] !== "\n" && chars[i] !== "\r") chars[i] = " ";
  });
  return chars.join("");
}

const SQUASH_MARKER = /^Squashed commit of the following:/i;
const SQUASH_COMMIT = /^commit [0-9a-f]{7,40}\b/i;
const SQUASH_HEADER = /^(?:Author|AuthorDate|Commit|CommitDate|Date|Merge):\s/i;

/**
 * `git merge --squash` writes `Squashed commit of the following:` and then every squashed commit (headers,
 * indented messages); those describe history already attributed elsewhere. Drops only the dump: lines before
 * the marker and a footer after it stay (Linear's stripSquashBlock).
 */
function dropSquashDump(message: string): string {
  const lines = message.split(/\r?\n/);
  const marker = lines.findIndex((l) => SQUASH_MARKER.test(l));
  if (marker < 0) return message;
  let i = marker + 1;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (!(line === "" || /^[ \t]/.test(line) || SQUASH_COMMIT.test(line) || SQUASH_HEADER.test(line))) break;
  }
  const before = lines.slice(0, marker).join("\n").trimEnd();
  const after = lines.slice(i).join("\n").trim();
  return before && after ? `${before}\n\n${after}` : before || after;
}

// ---------------------------------------------------------------------------------------------------------
// Linear magic words

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

// ---------------------------------------------------------------------------------------------------------
// GitHub closing keywords and pull requests

const MAX_NUMBER = 2_147_483_647; // GitHub issue and PR numbers are 32-bit ints (Linear's MAX_PR_NUMBER)
const GH_KEYWORD = String.raw`close[sd]?|fix(?:e[sd])?|resolve[sd]?`;
const GH_SLUG = String.raw`[A-Za-z0-9][A-Za-z0-9-]*\/[\w.-]+`;
const GH_ISSUE = String.raw`(?:(${GH_SLUG})?#|gh-|https?:\/\/(?:www\.)?github\.com\/(${GH_SLUG})\/(?:issues|pull)\/)`;
/**
 * GitHub's closing grammar: a keyword (case-insensitive) starting a word, a colon and/or spaces, then `#N`,
 * `owner/repo#N`, `GH-N` or an issue/PR URL, and the number must end the word (`Fix #3a` closes nothing).
 */
const GH_CLOSING = new RegExp(
  String.raw`\b(?:${GH_KEYWORD})(?::[ \t]*|[ \t]+(?::[ \t]*)?)${GH_ISSUE}(\d{1,10})(?!\w)`,
  "gi",
);

/** Issues closed by GitHub keywords in a PR body or commit message; code and HTML comments excluded. */
export function githubClosingReferences(text: string | null | undefined, repo: string): IssueRef[] {
  if (!text) return [];
  const refs = [...proseOnly(text).matchAll(GH_CLOSING)]
    .map((m) => ({ repo: (m[1] ?? m[2] ?? repo).toLowerCase(), number: Number(m[3]) }))
    .filter((r) => r.number > 0 && r.number <= MAX_NUMBER);
  return uniqueBy(refs, (r) => `${r.repo}#${r.number}`);
}

/**
 * GitHub closing keywords in a commit message, with the commit rules: the squash dump is ignored and an
 * odd-depth revert closes nothing named in its quoted subject (only the revert author's own text counts).
 */
export function commitClosingReferences(message: string | null | undefined, repo: string): IssueRef[] {
  if (!message) return [];
  const revert = unwrapRevert(message);
  return githubClosingReferences(dropSquashDump(revert.depth % 2 === 1 ? revert.after + revert.body : message), repo);
}

/** The PR a commit subject names: squash `… (#123)` or `Merge pull request #123 from …`. */
export function pullRequestOfCommit(
  message: string | null | undefined,
): { number: number; how: "squash" | "merge" } | null {
  if (!message) return null;
  const subject = dropSquashDump(message).split(/\r?\n/)[0]!;
  const squash = /\(#(\d{1,10})\)[ \t]*$/.exec(subject);
  const merge = /^Merge pull request #(\d{1,10})(?!\w)/i.exec(subject);
  const valid = (m: RegExpExecArray | null) => m !== null && Number(m[1]) > 0 && Number(m[1]) <= MAX_NUMBER;
  if (valid(squash)) return { number: Number(squash![1]), how: "squash" };
  if (valid(merge)) return { number: Number(merge![1]), how: "merge" };
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// URLs

/** Trailing punctuation is not part of an autolink (GFM): `?`, `!`, `.`, `,`, `:`, `*`, `_`, `~`, and `;`. */
const TRAILING = new Set([..."?!.,:*_~;"]);

/** Plain http(s) URLs (Slack writes them as `<url>` or `<url|label>`), trailing punctuation trimmed. */
export function urls(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const [url] of text.matchAll(/https?:\/\/[^\s<>|"')]+/g)) {
    let end = url.length;
    while (TRAILING.has(url[end - 1]!)) end--; // a loop, not /[.,]+$/, which is quadratic on long runs
    if (end > url.indexOf("//") + 2) out.push(url.slice(0, end));
  }
  return unique(out);
}

const unique = <T>(xs: T[]) => [...new Set(xs)];
function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}
