-- Issue 16: lead time in stages. A PR's author, and its first review by someone else (pickup ends,
-- review begins), from pull_request_review events.
ALTER TABLE "pull_requests" ADD COLUMN "author" TEXT;
ALTER TABLE "pull_requests" ADD COLUMN "first_review_at" TIMESTAMPTZ(3);

-- Lead time reads the PRs of some repositories merged in a window.
CREATE INDEX "pull_requests_repository_merged_at_idx" ON "pull_requests"("repository", "merged_at");
