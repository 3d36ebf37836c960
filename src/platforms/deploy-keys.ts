import { commitKeyIfSha, repoKey, uniqueKeys } from "../shared/keys.js";

/**
 * The keys a deploy sender's event names, as the generic deploy body's: the repository, the deploy, the
 * deployed commit — GitHub's keys for a GitHub repository, GitLab's for a `gitlab:` one (shared/keys.ts).
 */
export const deployKeys = (subject: string | null, repository: string | null, sha: string | null) =>
  uniqueKeys(repository && repoKey(repository), subject, repository && commitKeyIfSha(repository, sha));
