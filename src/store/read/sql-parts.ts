import { Prisma } from "../../generated/prisma/client.js";
import { PREFIX } from "../../shared/keys.js";

/** SQL pieces the read models share: entity key patterns, and times as their JSON answers carry them. */

/** `LIKE` patterns of entity keys, by prefix (shared/keys.ts builds the keys). */
export const COMMIT_LIKE = `${PREFIX.commit}%`;
export const PR_LIKE = `${PREFIX.pr}%`;
export const ISSUE_LIKES = [`${PREFIX.linearIssue}%`, `${PREFIX.issue}%`];
/** Commit keys (`github:commit:<repo>@<sha>`) split in SQL: where the repository starts, 1-based. */
export const COMMIT_REPO_AT = PREFIX.commit.length + 1;

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
