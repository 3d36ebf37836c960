import { githubRepository } from "../../shared/bounds.js";
import { gitlabRepository } from "../../shared/keys.js";

const GITHUB_COMMIT = /^https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/commit\/[0-9a-f]{7,40}\/?$/i;
/** GitLab's commit pages, `/-/commit/` or the older `/commit/`, under groups and subgroups. */
const GITLAB_COMMIT =
  /^https:\/\/(?:gitlab\.com|gitlab\.[\w.-]+)\/((?:[\w.-]+\/)+?[\w.-]+)\/(?:-\/)?commit\/[0-9a-f]{7,40}\/?$/i;

/**
 * The repository a Netlify deploy's `commit_url` names: `owner/repo` (lower-case) for GitHub, the GitLab
 * repository id for gitlab.com or a host named `gitlab.…`; null for anything else (Bitbucket, none).
 */
export function commitRepository(commitUrl: unknown): string | null {
  if (typeof commitUrl !== "string" || commitUrl.length > 2000) return null;
  const github = GITHUB_COMMIT.exec(commitUrl);
  if (github) return githubRepository(github[1])?.toLowerCase() ?? null;
  const gitlab = GITLAB_COMMIT.exec(commitUrl);
  return gitlab ? gitlabRepository(gitlab[1]!) : null;
}
