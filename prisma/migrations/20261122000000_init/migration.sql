-- CreateTable
CREATE TABLE "raw_deliveries" (
    "id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "content_type" TEXT,
    "headers" JSONB NOT NULL,
    "body" TEXT NOT NULL,

    CONSTRAINT "raw_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT,
    "subject" TEXT,
    "keys" TEXT[],
    "priority" TEXT NOT NULL,
    "payload" JSONB NOT NULL,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "github_events" (
    "event_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "action" TEXT,
    "repository" TEXT,
    "number" INTEGER,
    "sha" TEXT,
    "ref" TEXT,
    "base_ref" TEXT,
    "head_ref" TEXT,
    "state" TEXT,
    "merged" BOOLEAN,
    "title" TEXT,
    "url" TEXT,
    "sender" TEXT,

    CONSTRAINT "github_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "slack_events" (
    "event_id" UUID NOT NULL,
    "team_id" TEXT,
    "kind" TEXT NOT NULL,
    "subtype" TEXT,
    "channel" TEXT,
    "user" TEXT,
    "ts" TEXT,
    "thread_ts" TEXT,
    "text" TEXT,
    "command" TEXT,
    "action_ids" TEXT[],

    CONSTRAINT "slack_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "linear_events" (
    "event_id" UUID NOT NULL,
    "entity_type" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_id" TEXT,
    "identifier" TEXT,
    "team_key" TEXT,
    "title" TEXT,
    "state" TEXT,
    "url" TEXT,
    "actor" TEXT,

    CONSTRAINT "linear_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "deployments" (
    "event_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "deploy_id" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "sha" TEXT,
    "ref" TEXT,
    "url" TEXT,
    "service" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "deployments_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "raw_deliveries_platform_delivery_id_key" ON "raw_deliveries"("platform", "delivery_id");

-- CreateIndex
CREATE INDEX "events_occurred_at_id_idx" ON "events"("occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "events_platform_occurred_at_id_idx" ON "events"("platform", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "events_type_occurred_at_idx" ON "events"("type" text_pattern_ops, "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "events_subject_occurred_at_idx" ON "events"("subject", "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "events_keys_idx" ON "events" USING GIN ("keys");

-- CreateIndex
CREATE UNIQUE INDEX "events_platform_delivery_id_key" ON "events"("platform", "delivery_id");

-- CreateIndex
CREATE INDEX "github_events_repository_number_idx" ON "github_events"("repository", "number");

-- CreateIndex
CREATE INDEX "github_events_sha_idx" ON "github_events"("sha");

-- CreateIndex
CREATE INDEX "github_events_name_action_idx" ON "github_events"("name", "action");

-- CreateIndex
CREATE INDEX "slack_events_channel_ts_idx" ON "slack_events"("channel", "ts");

-- CreateIndex
CREATE INDEX "slack_events_channel_thread_ts_idx" ON "slack_events"("channel", "thread_ts");

-- CreateIndex
CREATE INDEX "slack_events_user_idx" ON "slack_events"("user");

-- CreateIndex
CREATE INDEX "linear_events_identifier_idx" ON "linear_events"("identifier");

-- CreateIndex
CREATE INDEX "linear_events_team_key_idx" ON "linear_events"("team_key");

-- CreateIndex
CREATE INDEX "linear_events_entity_type_entity_id_idx" ON "linear_events"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "deployments_repository_environment_status_idx" ON "deployments"("repository", "environment", "status");

-- CreateIndex
CREATE INDEX "deployments_source_deploy_id_idx" ON "deployments"("source", "deploy_id");

-- CreateIndex
CREATE INDEX "deployments_sha_idx" ON "deployments"("sha");

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_id_fkey" FOREIGN KEY ("id") REFERENCES "raw_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "github_events" ADD CONSTRAINT "github_events_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slack_events" ADD CONSTRAINT "slack_events_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "linear_events" ADD CONSTRAINT "linear_events_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
