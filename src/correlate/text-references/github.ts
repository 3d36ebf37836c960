/** GitHub closing keywords (`Fixes #7`) and the PR a commit subject names. */
import { dropSquashDump, proseOnly } from "./prose.js";
import { unwrapRevert } from "./reverts.js";
import { uniqueBy } from "./unique.js";
import { gitlabRepository, isGitlabRepository } from "../../shared/keys.js";

/** A GitHub issue or PR; `repo` is `owner/name`, lower-cased. */
export type IssueRef = { repo: string; number: number };

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

/** `other/repo#N` in a GitLab project's text names a project of the same instance: `gitlab:other/repo`. */
const slugRepo = (slug: string | undefined, repo: string) =>
  slug === undefined ? undefined : isGitlabRepository(repo) ? gitlabRepository(slug) : slug;

/** Issues closed by GitHub keywords in a PR body or commit message; code and HTML comments excluded. */
export function githubClosingReferences(text: string | null | undefined, repo: string): IssueRef[] {
  if (!text) return [];
  const refs = [...proseOnly(text).matchAll(GH_CLOSING)]
    .map((m) => ({ repo: (slugRepo(m[1], repo) ?? m[2] ?? repo).toLowerCase(), number: Number(m[3]) }))
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

/**
 * The merge request a GitLab merge commit names: its message ends `See merge request group/project!N` (GitLab's
 * default merge commit template). The project path is GitLab's own, lower-cased.
 */
export function mergeRequestOfCommit(message: string | null | undefined): { path: string; iid: number } | null {
  if (!message) return null;
  const m = /^See merge request ([\w.-]+(?:\/[\w.-]+){1,20})!(\d{1,10})[ \t]*\r?$/m.exec(message);
  return m && Number(m[2]) > 0 && Number(m[2]) <= MAX_NUMBER ? { path: m[1]!.toLowerCase(), iid: Number(m[2]) } : null;
}
