-- Every push that put a commit on a branch is kept, so pr-branch-push evidence does not depend on arrival order (contract §5).
ALTER TABLE "branch_commits" ADD COLUMN "event_ids" UUID[];
UPDATE "branch_commits" SET "event_ids" = ARRAY["event_id"];
ALTER TABLE "branch_commits" ALTER COLUMN "event_ids" SET NOT NULL;
ALTER TABLE "branch_commits" DROP COLUMN "event_id";
