-- GitLab webhook events (issue 17): one row per event, beside github_events.
CREATE TABLE "gitlab_events" (
    "event_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "action" TEXT,
    "repository" TEXT,
    "iid" INTEGER,
    "sha" TEXT,
    "ref" TEXT,
    "state" TEXT,
    "merged" BOOLEAN,
    "title" TEXT,
    "url" TEXT,
    "sender" TEXT,

    CONSTRAINT "gitlab_events_pkey" PRIMARY KEY ("event_id")
);

CREATE INDEX "gitlab_events_repository_iid_idx" ON "gitlab_events"("repository", "iid");

CREATE INDEX "gitlab_events_sha_idx" ON "gitlab_events"("sha");

CREATE INDEX "gitlab_events_name_action_idx" ON "gitlab_events"("name", "action");

ALTER TABLE "gitlab_events" ADD CONSTRAINT "gitlab_events_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
