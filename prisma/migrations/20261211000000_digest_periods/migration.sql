-- Slack digests (issue 18): each (subscription, period) is decided once, whichever worker gets there
-- first and however often it restarts; an empty period is recorded too, with no message.
CREATE TABLE "digest_periods" (
    "subscription_id" UUID NOT NULL,
    "period" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "message_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "digest_periods_pkey" PRIMARY KEY ("subscription_id","period","period_start")
);

-- A digest reads one period's milestones and deploy events: never a scan of the whole outbox.
CREATE INDEX "outbox_digest_idx" ON "outbox"("created_at") WHERE "kind" = 'milestone' OR "environment" IS NOT NULL;

-- A deleted subscription takes its decided periods with it.
ALTER TABLE "digest_periods" ADD CONSTRAINT "digest_periods_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
