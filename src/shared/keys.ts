/** Entity keys (SPEC §4): lower-case GitHub owner/repo, upper-case Linear identifiers, full SHAs. */

export const repoKey = (repo: string) => `github:repo:${repo.toLowerCase()}`;
export const prKey = (repo: string, n: number) => `github:pr:${repo.toLowerCase()}#${n}`;
export const issueKey = (repo: string, n: number) => `github:issue:${repo.toLowerCase()}#${n}`;
export const commitKey = (repo: string, sha: string) => `github:commit:${repo.toLowerCase()}@${sha.toLowerCase()}`;
export const linearIssueKey = (identifier: string) => `linear:issue:${identifier.toUpperCase()}`;
export const slackMessageKey = (channel: string, ts: string) => `slack:message:${channel}/${ts}`;
export const deployKey = (source: "github" | "generic", id: string | number) => `deploy:${source}:${id}`;

const FULL_SHA = /^[0-9a-f]{40}$/i;
const ZERO_SHA = /^0{40}$/;

/** A commit key for a real 40-hex SHA; null for absent, abbreviated or all-zero SHAs. */
export function commitKeyIfSha(repo: string, sha: unknown): string | null {
  return typeof sha === "string" && FULL_SHA.test(sha) && !ZERO_SHA.test(sha) ? commitKey(repo, sha) : null;
}

const GITHUB_URL = /https?:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/(pull|issues|commit)\/([0-9a-f]{40}|\d+)/gi;
const LINEAR_URL = /https?:\/\/linear\.app\/[\w-]+\/issue\/([a-z][a-z0-9_]{0,6}-[1-9]\d{0,8})\b/gi;

/** Entity keys of the GitHub and Linear URLs in a text (Slack messages, attachments, link_shared). */
export function keysFromUrls(text: string | null | undefined): string[] {
  if (!text) return [];
  const keys: string[] = [];
  for (const [, repo, kind, id] of text.matchAll(GITHUB_URL)) {
    if (!repo || !id) continue;
    if (kind === "pull") keys.push(prKey(repo, Number(id)));
    else if (kind === "issues") keys.push(issueKey(repo, Number(id)));
    else if (id.length === 40) keys.push(commitKey(repo, id));
  }
  for (const [, identifier] of text.matchAll(LINEAR_URL)) if (identifier) keys.push(linearIssueKey(identifier));
  return keys;
}

/** Distinct non-empty keys, in first-seen order. */
export function uniqueKeys(...keys: Array<string | null | undefined | string[]>): string[] {
  return [...new Set(keys.flat().filter((k): k is string => typeof k === "string" && k.length > 0))];
}
