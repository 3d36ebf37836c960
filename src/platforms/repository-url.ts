import { GITHUB_REPO, gitlabRepositoryId, LIMITS } from "../shared/bounds.js";
import { gitlabRepository } from "../shared/keys.js";

/** `https://host/path`, `ssh://git@host/path` or scp-like `git@host:path`, with an optional `.git`. */
function hostAndPath(url: string): { host: string; path: string } | null {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(url);
  if (scp) return { host: scp[1]!.toLowerCase(), path: scp[2]! };
  try {
    const u = new URL(url);
    if (!["https:", "http:", "ssh:", "git:"].includes(u.protocol)) return null;
    return { host: u.hostname.toLowerCase(), path: decodeURIComponent(u.pathname) };
  } catch {
    return null;
  }
}

const GITLAB_PATH = /^[\w.-]+(?:\/[\w.-]+)+$/;

/**
 * The repository a CI or CD tool names by URL, as deploy rows spell it: `owner/name` for github.com,
 * `gitlab:group/project` for gitlab.com (or any host when the sender says it is GitLab); null otherwise
 * (Bitbucket, other hosts, Helm repositories): such a deploy is stored without a deployment row.
 */
export function repositoryFromUrl(url: unknown, isGitlab = false): string | null {
  if (typeof url !== "string" || !url || url.length > LIMITS.urlBytes) return null;
  const parts = hostAndPath(url.trim());
  if (!parts) return null;
  const path = parts.path.replace(/^\/+|\/+$/g, "").replace(/\.git$/, "");
  if (parts.host === "github.com" || parts.host === "www.github.com") {
    return GITHUB_REPO.test(path) ? path.toLowerCase() : null;
  }
  if (parts.host === "gitlab.com" || isGitlab) {
    // Bounded as the GitLab receiver bounds its projects' ids (shared/bounds.ts).
    return GITLAB_PATH.test(path) ? gitlabRepositoryId(gitlabRepository(path)) : null;
  }
  return null;
}

/** A commit page, `…/commit/<sha>` or GitLab's `…/-/commit/<sha>`. */
const COMMIT_PAGE = /\/(?:-\/)?commit\/[0-9a-f]{7,40}\/?$/i;

/**
 * The repository of a commit page's URL (Netlify's `commit_url`), as repositoryFromUrl spells it; a host named
 * `gitlab.…` is taken for a self-managed GitLab.
 */
export function repositoryFromCommitUrl(url: unknown): string | null {
  if (typeof url !== "string" || url.length > LIMITS.urlBytes) return null;
  const page = COMMIT_PAGE.exec(url);
  return page ? repositoryFromUrl(url.slice(0, page.index), /^https?:\/\/gitlab\./i.test(url)) : null;
}
