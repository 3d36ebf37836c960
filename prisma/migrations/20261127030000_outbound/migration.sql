-- Telling others (contract §9 and §10): the outbox written with the graph, subscriptions, their messages and attempts.
-- CreateTable
CREATE TABLE "outbox" (
    "id" UUID NOT NULL,
    "position" BIGINT,
    "kind" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "fact_key" TEXT,
    "platform" TEXT,
    "repository" TEXT,
    "environment" TEXT,
    "subject" TEXT,
    "data" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subscriptions" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT,
    "channel" TEXT,
    "move_to" TEXT,
    "types" TEXT[],
    "where" JSONB NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "secrets" TEXT[],
    "disabled_reason" TEXT,
    "failing_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbound_messages" (
    "id" UUID NOT NULL,
    "subscription_id" UUID NOT NULL,
    "outbox_id" UUID,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbound_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbound_attempts" (
    "id" BIGSERIAL NOT NULL,
    "message_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "status_code" INTEGER,
    "latency_ms" INTEGER NOT NULL,
    "error" TEXT,
    "response" TEXT,

    CONSTRAINT "outbound_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "linear_notices" (
    "subscription_id" UUID NOT NULL,
    "issue" TEXT NOT NULL,
    "deploy" TEXT NOT NULL,
    "comment_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "linear_notices_pkey" PRIMARY KEY ("subscription_id","issue","deploy")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_position_key" ON "outbox"("position");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_fact_key_key" ON "outbox"("fact_key");

-- CreateIndex
CREATE UNIQUE INDEX "subscriptions_name_key" ON "subscriptions"("name");

-- CreateIndex
CREATE INDEX "outbound_messages_subscription_id_status_created_at_idx" ON "outbound_messages"("subscription_id", "status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "outbound_messages_status_next_attempt_at_idx" ON "outbound_messages"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "outbound_messages_subscription_id_created_at_id_idx" ON "outbound_messages"("subscription_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "outbound_messages_subscription_id_outbox_id_key" ON "outbound_messages"("subscription_id", "outbox_id");

-- CreateIndex
CREATE INDEX "outbound_attempts_message_id_attempt_idx" ON "outbound_attempts"("message_id", "attempt");

-- AddForeignKey
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbound_attempts" ADD CONSTRAINT "outbound_attempts_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "outbound_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The relay takes rows not yet numbered, oldest first: a small partial index, empty when it keeps up.
CREATE INDEX "outbox_unrelayed_idx" ON "outbox"("created_at", "id") WHERE "position" IS NULL;
