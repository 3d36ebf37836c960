import { bounded, LIMITS } from "./bounds.js";
import type { DeploySource } from "./event.js";

/**
 * Entity keys (contract §4), built and parsed here only: lower-case GitHub owner/repo, upper-case
 * Linear identifiers, full SHAs. Lock scopes (`repo:…`, `team:…`) are keys of the same kind.
 */

export const PREFIX = {
  repo: "github:repo:",
  pr: "github:pr:",
  issue: "github:issue:",
  commit: "github:commit:",
  linearIssue: "linear:issue:",
  slackMessage: "slack:message:",
  deploy: "deploy:",
  incident: "incident:",
  gitlabRepo: "gitlab:repo:",
  mr: "gitlab:mr:",
  gitlabIssue: "gitlab:issue:",
  gitlabCommit: "gitlab:commit:",
} as const;

/**
 * A GitLab project wherever a repository goes (rows, commits, deploys, DORA scopes, API params):
 * `gitlab:<path_with_namespace>` (group/subgroup/project), lower-case as GitLab paths are case-insensitive. GitHub names cannot hold ':', so the two never collide,
 * and the builders below dispatch on it: prKey("gitlab:g/p", 7) → `gitlab:mr:g/p!7`.
 */
export const GITLAB_REPOSITORY = "gitlab:";
export const gitlabRepository = (pathWithNamespace: string) => `${GITLAB_REPOSITORY}${pathWithNamespace.toLowerCase()}`;
export const isGitlabRepository = (repo: string) => repo.startsWith(GITLAB_REPOSITORY);
/**
 * Whether a repository glob (groups, subscriptions' `where.repository`) may name `repo`: a glob names GitLab
 * projects only when it starts `gitlab:`, so a glob of `owner/name` shape keeps meaning GitHub repositories; `*` names all.
 */
export const globMayName = (glob: string, repo: string) =>
  glob === "*" || isGitlabRepository(glob.toLowerCase()) === isGitlabRepository(repo.toLowerCase());
/** `gitlab:group/project` → `group/project`; a GitHub name as it is. */
const pathOf = (repo: string) => (isGitlabRepository(repo) ? repo.slice(GITLAB_REPOSITORY.length) : repo).toLowerCase();

export const repoKey = (repo: string) =>
  isGitlabRepository(repo) ? `${PREFIX.gitlabRepo}${pathOf(repo)}` : `${PREFIX.repo}${repo.toLowerCase()}`;
/** A GitHub PR, or a GitLab merge request by its iid (`gitlab:mr:group/project!7`). */
export const prKey = (repo: string, n: number) =>
  isGitlabRepository(repo) ? `${PREFIX.mr}${pathOf(repo)}!${n}` : `${PREFIX.pr}${repo.toLowerCase()}#${n}`;
export const issueKey = (repo: string, n: number) =>
  isGitlabRepository(repo) ? `${PREFIX.gitlabIssue}${pathOf(repo)}#${n}` : `${PREFIX.issue}${repo.toLowerCase()}#${n}`;
export const commitKey = (repo: string, sha: string) =>
  isGitlabRepository(repo)
    ? `${PREFIX.gitlabCommit}${pathOf(repo)}@${sha.toLowerCase()}`
    : `${PREFIX.commit}${repo.toLowerCase()}@${sha.toLowerCase()}`;
export const linearIssueKey = (identifier: string) => `${PREFIX.linearIssue}${identifier.toUpperCase()}`;
export const slackMessageKey = (channel: string, ts: string) => `${PREFIX.slackMessage}${channel}/${ts}`;
export const deployKey = (source: DeploySource, id: string | number) => `${PREFIX.deploy}${source}:${id}`;
/** `incident:pagerduty:PGR0VU2`, `incident:github:acme/web#12`, `incident:linear:ENG-42` (issue 16). */
export const incidentKey = (source: string, id: string) => `${PREFIX.incident}${source}:${id}`;
export const isIncidentKey = (key: string) => key.startsWith(PREFIX.incident);
/** An issue carrying an incident label: `incident:github:acme/web#12`, `incident:gitlab:group/project#3`. */
export const issueIncidentKey = (repo: string, n: number) =>
  incidentKey(isGitlabRepository(repo) ? "gitlab" : "github", `${pathOf(repo)}#${n}`);
/** Linear's other entities (projects, cycles, …) by their id: `linear:project:<uuid>`. */
export const linearEntityKey = (entity: string, id: string) => `linear:${entity}:${id}`;

const FULL_SHA = /^[0-9a-f]{40}$/i;
const ZERO_SHA = /^0{40}$/;

/** A full 40-hex SHA, lower-case; null for anything else (abbreviated SHAs, tags, versions). */
export const fullSha = (v: unknown): string | null =>
  typeof v === "string" && FULL_SHA.test(v) ? v.toLowerCase() : null;

/** A commit key for a real 40-hex SHA; null for absent, abbreviated or all-zero SHAs. */
export function commitKeyIfSha(repo: string, sha: unknown): string | null {
  return typeof sha === "string" && FULL_SHA.test(sha) && !ZERO_SHA.test(sha) ? commitKey(repo, sha) : null;
}

/** The kind of entity a key names: `github:pr:…` → `github.pr`, `deploy:generic:…` → `deploy`. */
export function kindOf(key: string): string {
  const [a, b] = key.split(":");
  return a === "deploy" || a === "incident" ? a : `${a}.${b}`;
}

/** `github:pr:acme/web#7` / `github:commit:acme/web@sha` → `acme/web`; `gitlab:mr:g/p!7` → `gitlab:g/p`. */
export function repositoryOf(key: string): string | null {
  const m = /^github:(?:pr|issue|commit|repo):([^#@]+)/.exec(key);
  if (m) return m[1]!;
  const g = /^gitlab:(?:mr|issue|commit|repo):([^#@!]+)/.exec(key);
  return g ? `${GITLAB_REPOSITORY}${g[1]!}` : null;
}

/** `github:commit:acme/web@sha` → { repository, sha } (`gitlab:commit:g/p@sha` → `gitlab:g/p`); else null. */
export function commitOf(key: string): { repository: string; sha: string } | null {
  const gitlab = key.startsWith(PREFIX.gitlabCommit);
  if (!gitlab && !key.startsWith(PREFIX.commit)) return null;
  const at = key.lastIndexOf("@");
  if (at < 0) return null;
  const path = key.slice((gitlab ? PREFIX.gitlabCommit : PREFIX.commit).length, at);
  return { repository: gitlab ? `${GITLAB_REPOSITORY}${path}` : path, sha: key.slice(at + 1) };
}

/** The key prefixes of PRs (GitHub PRs, GitLab merge requests), commits and issues, for `LIKE` patterns too. */
export const PR_PREFIXES = [PREFIX.pr, PREFIX.mr] as const;
export const COMMIT_PREFIXES = [PREFIX.commit, PREFIX.gitlabCommit] as const;
export const ISSUE_PREFIXES = [PREFIX.linearIssue, PREFIX.issue, PREFIX.gitlabIssue] as const;
export const isPrKey = (key: string) => PR_PREFIXES.some((p) => key.startsWith(p));
export const isCommitKey = (key: string) => COMMIT_PREFIXES.some((p) => key.startsWith(p));

/** GitHub, GitLab and Linear issues: what a deploy ships through the PRs and commits that close or reference them. */
export const isIssueKey = (key: string) => ISSUE_PREFIXES.some((p) => key.startsWith(p));

/** `ENG-42` → `ENG`. */
export const teamOf = (identifier: string) => {
  const dash = identifier.indexOf("-");
  return dash < 0 ? identifier : identifier.slice(0, dash);
};

/**
 * Advisory-lock scopes: what a transaction serializes on. Taken in the order of SCOPE_KINDS, so
 * concurrent batches cannot deadlock.
 */
export const SCOPE_KINDS = ["team", "lid", "url", "repo"] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];
export const scope = (kind: ScopeKind, value: string) => `${kind}:${value}`;
/** The value of a scope of `kind`, or null if it is of another kind. */
export const scopeValue = (s: string, kind: ScopeKind) => (s.startsWith(`${kind}:`) ? s.slice(kind.length + 1) : null);

const GITHUB_URL = /https?:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/(pull|issues|commit)\/([0-9a-f]{40}|\d+)/gi;
/**
 * The identifier grammar of correlate/text-references.ts: 1–7 letters or digits, `-`, a number without leading
 * zero.
 */
const LINEAR_URL = /https?:\/\/linear\.app\/[\w-]+\/issue\/([a-z0-9]{1,7}-[1-9]\d{0,8})(?![a-z0-9])/gi;

/**
 * GitLab's project URLs on any host: `<path>/-/merge_requests/N`, `/-/issues/N`, `/-/commit/<sha>`. The `/-/`
 * separator is GitLab's own (a group path cannot hold `-` alone), so GitHub URLs never match. The path is one
 * or more segments after the host (an instance under a relative URL would add its prefix to the path).
 */
const GITLAB_URL =
  /https?:\/\/[\w.-]+(?::\d{1,5})?\/([\w.-]+(?:\/[\w.-]+){1,20})\/-\/(merge_requests|issues|commit)\/([0-9a-f]{40}|\d{1,10})(?![\w])/gi;

/** Entity keys of the GitHub, GitLab and Linear URLs in a text (Slack messages, attachments, link_shared). */
export function keysFromUrls(text: string | null | undefined): string[] {
  if (typeof text !== "string" || !text) return [];
  const keys: string[] = [];
  for (const [, repo, kind, id] of text.matchAll(GITHUB_URL)) {
    if (!repo || !id) continue;
    if (kind === "pull") keys.push(prKey(repo, Number(id)));
    else if (kind === "issues") keys.push(issueKey(repo, Number(id)));
    else if (id.length === 40) keys.push(commitKey(repo, id));
  }
  for (const [, path, kind, id] of text.matchAll(GITLAB_URL)) {
    if (!path || !id) continue;
    const repo = gitlabRepository(path);
    if (kind!.toLowerCase() === "merge_requests") keys.push(prKey(repo, Number(id)));
    else if (kind!.toLowerCase() === "issues") keys.push(issueKey(repo, Number(id)));
    else if (id.length === 40) keys.push(commitKey(repo, id));
  }
  for (const [, identifier] of text.matchAll(LINEAR_URL)) if (identifier) keys.push(linearIssueKey(identifier));
  return keys;
}

/** Distinct non-empty keys, in first-seen order; keys over LIMITS.keyBytes dropped, at most LIMITS.perEvent. */
export function uniqueKeys(...keys: Array<string | null | undefined | string[]>): string[] {
  const ok = keys
    .flat()
    .filter((k): k is string => typeof k === "string" && k.length > 0 && bounded(k, LIMITS.keyBytes) !== null);
  return [...new Set(ok)].slice(0, LIMITS.perEvent);
}

/**
 * A short label for an entity key: `linear:issue:ENG-42` → `ENG-42`, `github:pr:acme/web#7` →
 * `PR #7` in its own repository (else `acme/web#7`), a commit → its short SHA, a deploy → its id.
 */
export function keyLabel(key: string, repository?: string | null): string {
  const inRepo = (rest: string, sep: "#" | "@") => {
    const at = rest.lastIndexOf(sep);
    return at < 0 ? { repo: null, id: rest } : { repo: rest.slice(0, at), id: rest.slice(at + 1) };
  };
  if (key.startsWith(PREFIX.linearIssue)) return key.slice(PREFIX.linearIssue.length);
  if (key.startsWith(PREFIX.pr) || key.startsWith(PREFIX.issue)) {
    const isPr = key.startsWith(PREFIX.pr);
    const { repo, id } = inRepo(key.slice((isPr ? PREFIX.pr : PREFIX.issue).length), "#");
    return repo === null || (repository && repo === repository.toLowerCase())
      ? `${isPr ? "PR" : "issue"} #${id}`
      : `${repo}#${id}`;
  }
  if (key.startsWith(PREFIX.commit)) {
    const { repo, id } = inRepo(key.slice(PREFIX.commit.length), "@");
    const sha = id.slice(0, 7);
    return repo === null || (repository && repo === repository.toLowerCase()) ? sha : `${repo}@${sha}`;
  }
  if (key.startsWith(PREFIX.repo)) return key.slice(PREFIX.repo.length);
  if (key.startsWith("gitlab:")) return gitlabLabel(key, repository);
  if (key.startsWith(PREFIX.deploy)) return deployId(key);
  if (key.startsWith(PREFIX.incident)) return `incident ${key.slice(PREFIX.incident.length)}`;
  if (key.startsWith(PREFIX.slackMessage)) return "Slack message";
  return key;
}

/** `gitlab:mr:g/p!7` → `MR !7` in its own project (else `g/p!7`), issues `issue #3`, commits their short SHA. */
function gitlabLabel(key: string, repository?: string | null): string {
  const m = /^gitlab:(mr|issue|commit|repo):(.+?)(?:([!#@])([^!#@]+))?$/.exec(key);
  if (!m) return key;
  const [, kind, path, sep, id] = m;
  if (kind === "repo" || !sep || !id) return path!;
  const own = !!repository && `${GITLAB_REPOSITORY}${path}` === repository.toLowerCase();
  const short = kind === "commit" ? id.slice(0, 7) : id;
  if (!own) return `${path}${sep}${short}`;
  return kind === "mr" ? `MR !${id}` : kind === "issue" ? `issue #${id}` : short;
}

/** `deploy:generic:dep-123` → `dep-123`; `deploy:github:42` → `42`. */
const deployId = (key: string) => {
  const rest = key.slice(PREFIX.deploy.length);
  const colon = rest.indexOf(":");
  return colon < 0 ? rest : rest.slice(colon + 1);
};
