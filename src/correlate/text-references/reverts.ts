/** Branch names and reverts: what a branch names, what a revert (PR, branch, subject) undoes. */
import { scanIdentifiers } from "./linear-identifiers.js";

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
export function unwrapRevert(message: string) {
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
