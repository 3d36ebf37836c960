-- The subscriber side's options (issue 18): which messages a subscription takes, how fast it is sent
-- them, its circuit breaker, Slack digests and GitHub dispatch targets.
ALTER TABLE "subscriptions"
    ADD COLUMN "min_priority" TEXT,
    ADD COLUMN "rate_limit" DOUBLE PRECISION,
    ADD COLUMN "max_in_flight" INTEGER,
    ADD COLUMN "allow_unknown_types" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "digest" TEXT,
    ADD COLUMN "dispatch" JSONB,
    ADD COLUMN "breaker_failures" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "breaker_open_until" TIMESTAMPTZ(3);
