/** Code, comments and squash dumps: the parts of a text that refer to nothing. */

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
export function dropSquashDump(message: string): string {
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
