import type { PrismaClient } from "../generated/prisma/client.js";

/**
 * The `linear_notices` table: one row per (subscription, issue, deploy) Linear is told of (contract §9
 * `kind: "linear"`), every statement on it here. `comment_id` is set once Linear confirmed the
 * comment: a row without it is a notice begun whose outcome is unknown (a failed or cut-off attempt).
 */
export interface NoticeKey {
  subscriptionId: string;
  /** The issue's entity key, `linear:issue:ENG-42`. */
  issue: string;
  /** The deploy's key. */
  deploy: string;
}

export interface Notice {
  /** Set when Linear confirmed the comment: nothing is left to do. */
  commentId: string | null;
  /** Inserted by this call: no earlier attempt began this notice. */
  fresh: boolean;
}

/**
 * Begins a notice, or reads the one begun before: one statement (the SELECT does not see the row
 * the INSERT adds, so exactly one of the two answers).
 */
export async function beginNotice(prisma: PrismaClient, key: NoticeKey): Promise<Notice> {
  const [row] = await prisma.$queryRaw<Array<{ commentId: string | null; fresh: boolean }>>`
    WITH added AS (
      INSERT INTO linear_notices (subscription_id, issue, deploy)
      VALUES (${key.subscriptionId}::uuid, ${key.issue}, ${key.deploy})
      ON CONFLICT DO NOTHING RETURNING comment_id)
    SELECT comment_id AS "commentId", true AS fresh FROM added
    UNION ALL
    SELECT comment_id, false FROM linear_notices
    WHERE subscription_id = ${key.subscriptionId}::uuid AND issue = ${key.issue} AND deploy = ${key.deploy}
      AND NOT EXISTS (SELECT 1 FROM added)`;
  // No row: a concurrent attempt inserted it after this statement began; treat it as begun before.
  return row ?? { commentId: null, fresh: false };
}

/** Records the comment Linear confirmed: the notice is done. */
export async function recordNoticeComment(prisma: PrismaClient, key: NoticeKey, commentId: string): Promise<void> {
  await prisma.$executeRaw`
    UPDATE linear_notices SET comment_id = ${commentId}
    WHERE subscription_id = ${key.subscriptionId}::uuid AND issue = ${key.issue} AND deploy = ${key.deploy}`;
}
