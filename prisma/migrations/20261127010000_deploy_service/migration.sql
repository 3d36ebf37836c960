-- Deploy ranges per (repository, service, environment) (contract §5). Deploys seen before: their service is their
-- repository, the default, so their ranges stay as they were.
ALTER TABLE "deploys" ADD COLUMN     "service" TEXT;
UPDATE "deploys" SET "service" = "repository";
ALTER TABLE "deploys" ALTER COLUMN "service" SET NOT NULL;

-- DropIndex
DROP INDEX "deploys_repository_environment_at_idx";

-- CreateIndex
CREATE INDEX "deploys_repository_service_environment_at_idx" ON "deploys"("repository", "service", "environment", "at");
