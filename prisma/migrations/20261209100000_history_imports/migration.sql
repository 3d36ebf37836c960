-- Issue 17: history import. Where a delivery came from: a webhook, or a platform's API read by an import
-- (`import`). The default keeps the receive path's insert unchanged for webhooks.
ALTER TABLE "raw_deliveries" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'webhook';

-- An import's cursor per (platform, scope, resource): the next page to read, saved after a page's deliveries
-- were enqueued, so an import that stopped resumes there, if it reads the same span (`since`): a page cursor
-- carries its import's span.
CREATE TABLE "import_cursors" (
    "platform" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "cursor" TEXT,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "job" TEXT NOT NULL,
    "since" TEXT NOT NULL,
    "items" INTEGER NOT NULL DEFAULT 0,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "import_cursors_pkey" PRIMARY KEY ("platform","scope","resource")
);
