import { Prisma } from "../../generated/prisma/client.js";
import { COMMIT_PREFIXES, GITLAB_REPOSITORY, ISSUE_PREFIXES, PR_PREFIXES, PREFIX } from "../../shared/keys.js";

/** SQL pieces the read models share: entity key patterns, and times as their JSON answers carry them. */

/** `LIKE` patterns of entity keys, by prefix (shared/keys.ts builds the keys). */
export const COMMIT_LIKES = COMMIT_PREFIXES.map((p) => `${p}%`);
export const PR_LIKES = PR_PREFIXES.map((p) => `${p}%`);
export const ISSUE_LIKES = ISSUE_PREFIXES.map((p) => `${p}%`);
/** Commit keys (`github:commit:<repo>@<sha>`, `gitlab:commit:<path>@<sha>`) split in SQL: where the path starts, 1-based. */
export const COMMIT_REPO_AT = PREFIX.commit.length + 1;
if (PREFIX.gitlabCommit.length !== PREFIX.commit.length) throw new Error("commit key prefixes must be of one length");

/**
 * The repository of a commit key (an SQL expression), as `commitOf` reads it: the path before '@', with
 * `gitlab:` before a GitLab project's (both commit prefixes are 14 characters long).
 */
export const commitRepository = (column: string) =>
  Prisma.raw(
    `(CASE WHEN left(${column}, ${GITLAB_REPOSITORY.length}) = '${GITLAB_REPOSITORY}' THEN '${GITLAB_REPOSITORY}' ELSE '' END` +
      ` || split_part(substr(${column}, ${COMMIT_REPO_AT}), '@', 1))`,
  );

/**
 * A timestamp column as the read models' JSON hands it over: epoch milliseconds, exact for
 * timestamp(3), turned back into a `Date` by `dateOf`. Text, for fragments built as raw SQL.
 */
export const epochMsText = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint`;
export const epochMs = (column: string) => Prisma.raw(epochMsText(column));

export function dateOf(ms: number): Date;
export function dateOf(ms: number | null): Date | null;
export function dateOf(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/**
 * An incident's suspects best first (`link` a `caused_by` link, `deploy` its deploy): confidence, then
 * the later deploy, then the key — the order correlate/incident-suspects.ts ranks them in.
 */
export const bestSuspectFirst = (link: string, deploy: string) =>
  Prisma.raw(`${link}.confidence DESC, ${deploy}.at DESC, ${link}.to_key`);
