import { commitKey } from "../../shared/keys.js";
import type { PullRequestFact } from "../../correlate/facts.js";
import type { Sql as Tx } from "../sql.js";
import type { LinkWrite } from "./links.js";
import { Prisma } from "../../generated/prisma/client.js";
import { BUILTIN_RULES } from "../../correlate/builtin-rules.js";

/** The `pull_requests` row of a PR fact, and the links its joins make (apply-facts.ts calls it per fact). */

/**
 * The ids of the events that carried the PR `key` (an SQL expression of the enclosing query). The
 * subject is looked up alone (OFFSET 0 keeps it apart): the planner otherwise combined the
 * platform and type indexes, which read every GitHub event each time.
 */
export const prEvents = (key: Prisma.Sql) => Prisma.sql`
  SELECT s.id FROM (SELECT id, platform, type FROM events WHERE subject = ${key} OFFSET 0) s
  WHERE (s.platform = 'github' AND s.type LIKE 'github.pull_request%')
    OR (s.platform = 'gitlab' AND s.type LIKE 'gitlab.merge_request%')`;

/**
 * Upserts the PR's row and gathers, into `p.links`, the links its joins find. Every column merges
 * whatever the arrival order (contract §5): latest-wins fields by `updated_at`, first-known ones by
 * COALESCE, and the first review (by someone other than the author) as the earliest seen.
 */
export async function applyPullRequest(
  tx: Tx,
  p: { links: LinkWrite[] },
  pr: PullRequestFact,
  eventId: string,
  enabled: (rule: string) => boolean,
) {
  const branchJoin = Boolean(pr.headRef && pr.headRef !== pr.baseRef && enabled("pr-branch-push"));
  const revertJoin = enabled("revert-title");
  // One round trip: the upsert runs as a CTE; the joins read other rows (commits pushed to the
  // PR's branch, the PR it reverts by title, PRs that revert it by title).
  const rows = await tx.query<Array<{ kind: "pushed" | "original" | "reverter"; ref: string; eventIds: string[] }>>`
    WITH upsert AS (
      INSERT INTO pull_requests (key, repository, number, title, head_ref, base_ref, head_sha, merge_commit_sha,
        merged, created_at, merged_at, updated_at, event_id, author, first_review_at)
      VALUES (${pr.key}, ${pr.repository}, ${pr.number}, ${pr.title}, ${pr.headRef}, ${pr.baseRef}, ${pr.headSha},
        ${pr.mergeCommitSha},
              ${pr.merged}, ${pr.createdAt}, ${pr.mergedAt}, ${pr.updatedAt}, ${eventId}::uuid, ${pr.author},
              ${pr.firstReviewAt})
      ON CONFLICT (key) DO UPDATE SET
        title = CASE WHEN EXCLUDED.updated_at >= pull_requests.updated_at THEN EXCLUDED.title
          ELSE pull_requests.title END,
        head_ref = COALESCE(pull_requests.head_ref, EXCLUDED.head_ref),
        base_ref = CASE WHEN EXCLUDED.updated_at >= pull_requests.updated_at THEN EXCLUDED.base_ref
          ELSE pull_requests.base_ref END,
        head_sha = CASE WHEN EXCLUDED.updated_at >= pull_requests.updated_at THEN EXCLUDED.head_sha
          ELSE pull_requests.head_sha END,
        merge_commit_sha = COALESCE(EXCLUDED.merge_commit_sha, pull_requests.merge_commit_sha),
        merged = pull_requests.merged OR EXCLUDED.merged,
        created_at = LEAST(pull_requests.created_at, EXCLUDED.created_at),
        merged_at = COALESCE(pull_requests.merged_at, EXCLUDED.merged_at),
        updated_at = GREATEST(pull_requests.updated_at, EXCLUDED.updated_at),
        -- A PR's author never changes: the first known stays.
        author = COALESCE(pull_requests.author, EXCLUDED.author),
        first_review_at = LEAST(pull_requests.first_review_at, EXCLUDED.first_review_at))
    SELECT 'pushed' AS kind, sha AS ref, event_ids AS "eventIds" FROM branch_commits
    WHERE ${branchJoin} AND repository = ${pr.repository} AND branch = ${pr.headRef}
    UNION ALL
    SELECT 'original', key, NULL FROM pull_requests
    WHERE ${revertJoin} AND repository = ${pr.repository} AND title = ${pr.revertsByTitle} AND key <> ${pr.key}
    UNION ALL
    -- Every event that carried the reverting PR, as when they arrive after this one (contract §5).
    SELECT 'reverter', key, ARRAY(${prEvents(Prisma.sql`pull_requests.key`)})
    FROM pull_requests
    WHERE ${revertJoin} AND repository = ${pr.repository} AND title = ${`Revert "${pr.title}"`} AND key <> ${pr.key}`;
  const contains = {
    from: pr.key,
    relation: "contains",
    rule: "pr-branch-push",
    confidence: BUILTIN_RULES["pr-branch-push"].confidence,
  };
  const revert = { relation: "reverts", rule: "revert-title", confidence: BUILTIN_RULES["revert-title"].confidence };
  for (const r of rows) {
    if (r.kind === "pushed") {
      p.links.push({ link: { ...contains, to: commitKey(pr.repository, r.ref) }, evidence: [eventId, ...r.eventIds] });
    } else if (r.kind === "original")
      p.links.push({ link: { ...revert, from: pr.key, to: r.ref }, evidence: [eventId] });
    else p.links.push({ link: { ...revert, from: r.ref, to: pr.key }, evidence: r.eventIds });
  }
}
