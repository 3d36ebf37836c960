/**
 * Bounds on what a payload can make us store. PostgreSQL refuses a b-tree entry over ~2.7 kB, so
 * anything that becomes a key or an indexed column is bounded in bytes, and an event's fan-out
 * (keys, links, mentions) in count; beyond them a value is treated as absent, never an error.
 */
export const LIMITS = {
  /** Entity keys and link endpoints. */
  keyBytes: 512,
  /** URLs (deploy URLs are matched as mention targets). */
  urlBytes: 2000,
  /** Branch, environment, service and other names. */
  nameBytes: 255,
  /** Keys, links, mentions and entities of one event. */
  perEvent: 1000,
  /** GitHub's own limits on owner and repository names. */
  owner: 39,
  repository: 100,
} as const;

/** A string of at most `maxBytes` UTF-8 bytes, else null (non-strings too). */
export function bounded(value: unknown, maxBytes: number): string | null {
  if (typeof value !== "string") return null;
  // A cheap length check first: UTF-8 takes at most 3 bytes per UTF-16 unit.
  return value.length * 3 <= maxBytes || Buffer.byteLength(value) <= maxBytes ? value : null;
}

/** A name (branch, environment, service, id) within `LIMITS.nameBytes`, else null. */
export const boundedName = (value: unknown): string | null => bounded(value, LIMITS.nameBytes);

/** A string, or null for anything else: payload fields are read as the sender documents them, never trusted. */
export const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

export const GITHUB_REPO = new RegExp(`^[\\w.-]{1,${LIMITS.owner}}/[\\w.-]{1,${LIMITS.repository}}$`);

/** `owner/repo` within GitHub's limits, else null. */
export const githubRepository = (value: unknown): string | null =>
  typeof value === "string" && GITHUB_REPO.test(value) ? value : null;

/**
 * A GitLab project as a repository id (shared/keys.ts): `gitlab:` and its path_with_namespace, a group path
 * and a project path, with subgroups between (GitLab nests up to 20 levels); at most `nameBytes` in all.
 */
export const GITLAB_REPO = /^gitlab:[\w.-]{1,255}(?:\/[\w.-]{1,255}){1,20}$/;

/** A GitLab repository id (`gitlab:group/sub/project`) within its bounds, else null. */
export const gitlabRepositoryId = (value: unknown): string | null =>
  typeof value === "string" && value.length <= LIMITS.nameBytes && GITLAB_REPO.test(value) ? value : null;

/** A repository as the API takes it: GitHub's `owner/repo` or a GitLab id (bound its length by `nameBytes`). */
export const REPOSITORY = new RegExp(`${GITHUB_REPO.source}|${GITLAB_REPO.source}`);

/** The lowest UUID: a keyset scan by id starts after it. */
export const LOWEST_UUID = "00000000-0000-0000-0000-000000000000";
