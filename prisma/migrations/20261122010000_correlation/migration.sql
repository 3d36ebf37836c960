-- CreateTable
CREATE TABLE "entities" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT,
    "state" TEXT,
    "url" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "entities_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "links" (
    "id" BIGSERIAL NOT NULL,
    "from_key" TEXT NOT NULL,
    "to_key" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "evidence" UUID[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mentions" (
    "id" BIGSERIAL NOT NULL,
    "from_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "event_id" UUID NOT NULL,

    CONSTRAINT "mentions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "commits" (
    "repository" TEXT NOT NULL,
    "sha" TEXT NOT NULL,
    "parents" TEXT[],
    "message" TEXT,
    "authored_at" TIMESTAMPTZ(3),
    "event_id" UUID NOT NULL,

    CONSTRAINT "commits_pkey" PRIMARY KEY ("repository","sha")
);

-- CreateTable
CREATE TABLE "branch_commits" (
    "repository" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "sha" TEXT NOT NULL,
    "event_id" UUID NOT NULL,

    CONSTRAINT "branch_commits_pkey" PRIMARY KEY ("repository","branch","sha")
);

-- CreateTable
CREATE TABLE "pull_requests" (
    "key" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "head_ref" TEXT,
    "base_ref" TEXT,
    "head_sha" TEXT,
    "merge_commit_sha" TEXT,
    "merged" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3),
    "merged_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "event_id" UUID NOT NULL,

    CONSTRAINT "pull_requests_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "deploys" (
    "key" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "sha" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "url" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "at" TIMESTAMPTZ(3) NOT NULL,
    "status_at" TIMESTAMPTZ(3) NOT NULL,
    "previous_key" TEXT,
    "range_known" BOOLEAN NOT NULL DEFAULT false,
    "range_open" BOOLEAN NOT NULL DEFAULT true,
    "event_ids" UUID[],

    CONSTRAINT "deploys_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "linear_teams" (
    "key" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "linear_teams_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "linear_issues" (
    "id" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,

    CONSTRAINT "linear_issues_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rules" (
    "name" TEXT NOT NULL,
    "builtin" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "definition" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rules_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "rule_versions" (
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rule_versions_pkey" PRIMARY KEY ("name","version")
);

-- CreateIndex
CREATE INDEX "entities_kind_idx" ON "entities"("kind");

-- CreateIndex
CREATE INDEX "links_to_key_idx" ON "links"("to_key");

-- CreateIndex
CREATE INDEX "links_rule_idx" ON "links"("rule");

-- CreateIndex
CREATE UNIQUE INDEX "links_from_key_to_key_relation_rule_key" ON "links"("from_key", "to_key", "relation", "rule");

-- CreateIndex
CREATE INDEX "mentions_kind_target_idx" ON "mentions"("kind", "target");

-- CreateIndex
CREATE UNIQUE INDEX "mentions_from_key_kind_target_relation_rule_event_id_key" ON "mentions"("from_key", "kind", "target", "relation", "rule", "event_id");

-- CreateIndex
CREATE INDEX "pull_requests_repository_head_ref_idx" ON "pull_requests"("repository", "head_ref");

-- CreateIndex
CREATE INDEX "pull_requests_repository_title_idx" ON "pull_requests"("repository", "title");

-- CreateIndex
CREATE INDEX "deploys_repository_environment_at_idx" ON "deploys"("repository", "environment", "at");

-- CreateIndex
CREATE INDEX "deploys_repository_sha_idx" ON "deploys"("repository", "sha");

-- CreateIndex
CREATE INDEX "deploys_url_idx" ON "deploys"("url");

-- AddForeignKey
ALTER TABLE "rule_versions" ADD CONSTRAINT "rule_versions_name_fkey" FOREIGN KEY ("name") REFERENCES "rules"("name") ON DELETE CASCADE ON UPDATE CASCADE;

