/**
 * What free text (branch names, PR titles and bodies, commit and Slack messages) refers to.
 * Built-in patterns are fixed and anchored, so they run in linear time on JS's engine; only
 * user-supplied patterns need RE2 (see custom-rules.ts).
 */

/**
 * A Linear identifier as Linear's own detector reads it: a team key of 1–7 word characters, `-`,
 * 1–9 digits without a leading zero; not inside a longer token, a date (`2023-04-11-245a825`) or a
 * version string (`v1.57.0`). Upper-cased. Team keys are validated later against the teams seen.
 */
const IDENTIFIER = /(?<![\w.\-/#@]|[\w.-]\/)(\w{1,7})-([1-9]\d{0,8})(?![\w@]|\.\d|-\d)/g;
const BRANCH_IDENTIFIER = /(?<![A-Za-z0-9.-])([A-Za-z]\w{0,6})-([1-9]\d{0,8})(?![\d.]|[A-Za-z0-9])/g;

export function linearIdentifiers(text: string | null | undefined): string[] {
  if (!text) return [];
  return unique([...text.matchAll(IDENTIFIER)].map((m) => `${m[1]!.toUpperCase()}-${m[2]}`));
}

/** Branch names (`alice/eng-42-fix-login`, `ENG-42`): segments start after `/`, `_` or the start. */
export function branchIdentifiers(branch: string | null | undefined): string[] {
  if (!branch) return [];
  return unique(
    branch
      .split(/[/_]/)
      .flatMap((segment) => [...segment.matchAll(BRANCH_IDENTIFIER)].map((m) => `${m[1]!.toUpperCase()}-${m[2]}`)),
  );
}

const CLOSING = String.raw`close[sd]?|closing|fix(?:e[sd])?|fixing|resolve[sd]?|resolving|complete[sd]?|completing|implement(?:s|ed|ing)?`;
const LINKING = String.raw`refs?|references|part\s+of|related\s+to|relates\s+to|contributes\s+to|towards`;
const MAGIC = new RegExp(String.raw`\b(?:(${CLOSING})|(${LINKING}))\b:?`, "gi");

export interface Magic {
  identifier: string;
  relation: "closes" | "references";
}

/**
 * Identifiers that follow a magic word on the same line: closing words close the issue on merge,
 * linking words only reference it. An identifier belongs to the nearest magic word before it.
 */
export function magicWordIdentifiers(text: string | null | undefined): Magic[] {
  if (!text) return [];
  const out: Magic[] = [];
  for (const line of text.split(/\r?\n/)) {
    const words = [...line.matchAll(MAGIC)];
    words.forEach((w, i) => {
      const end = words[i + 1]?.index ?? line.length;
      const tail = line.slice(w.index! + w[0].length, end);
      const relation = w[1] ? "closes" : "references";
      for (const identifier of linearIdentifiers(tail.replace(LINEAR_URL_G, (_m, id: string) => id))) out.push({ identifier, relation });
    });
  }
  return uniqueBy(out, (m) => `${m.identifier}|${m.relation}`);
}

const LINEAR_URL_G = /https?:\/\/linear\.app\/[\w-]+\/issue\/(\w{1,7}-[1-9]\d{0,8})\b[^\s)>]*/gi;

/** Identifiers in Linear issue URLs (`https://linear.app/acme/issue/ENG-42/title`). */
export function linearUrlIdentifiers(text: string | null | undefined): string[] {
  if (!text) return [];
  return unique([...text.matchAll(LINEAR_URL_G)].map((m) => m[1]!.toUpperCase()));
}

/** GitHub's own closing keywords: `fixes #12`, `closes owner/repo#12`, `resolves <issue URL>`. */
const GITHUB_CLOSING = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?):?\s+(?:([\w.-]+\/[\w.-]+)?#(\d+)|https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/issues\/(\d+))/gi;

export function githubClosingReferences(text: string | null | undefined, repo: string): Array<{ repo: string; number: number }> {
  if (!text) return [];
  return uniqueBy(
    [...text.matchAll(GITHUB_CLOSING)].map((m) => ({ repo: (m[1] ?? m[3] ?? repo).toLowerCase(), number: Number(m[2] ?? m[4]) })),
    (r) => `${r.repo}#${r.number}`,
  );
}

/** Which PR a revert PR reverts, by GitHub's conventions. */
export function revertOf(pr: { title?: string | null; body?: string | null; headRef?: string | null }, repo: string) {
  const byBody = /^Reverts ([\w.-]+\/[\w.-]+)#(\d+)\s*$/m.exec(pr.body ?? "");
  const byBranch = /^revert-(\d+)-/.exec(pr.headRef ?? "");
  const byTitle = /^Revert "(.+)"$/.exec(pr.title ?? "");
  return {
    body: byBody ? { repo: byBody[1]!.toLowerCase(), number: Number(byBody[2]) } : null,
    branch: byBranch ? { repo, number: Number(byBranch[1]) } : null,
    title: byTitle ? byTitle[1]! : null,
  };
}

/** Plain http(s) URLs (Slack writes them as `<url>` or `<url|label>`). */
export function urls(text: string | null | undefined): string[] {
  if (!text) return [];
  return unique([...text.matchAll(/https?:\/\/[^\s<>|"')]+/g)].map((m) => m[0].replace(/[.,;:]+$/, "")));
}

const unique = <T>(xs: T[]) => [...new Set(xs)];
function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}
