-- Issue 16: incidents (PagerDuty, Sentry, labelled GitHub and Linear issues), groups of
-- repositories and services, and issues' labels (bug fixes count as deployment rework).

CREATE TABLE "incident_events" (
    "event_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "incident_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "title" TEXT,
    "service" TEXT,
    "environment" TEXT,
    "repository" TEXT,
    "url" TEXT,
    "urgency" TEXT,
    "opened_at" TIMESTAMPTZ(3),
    "at" TIMESTAMPTZ(3) NOT NULL,
    "text" TEXT,
    CONSTRAINT "incident_events_pkey" PRIMARY KEY ("event_id")
);
CREATE INDEX "incident_events_source_incident_id_idx" ON "incident_events"("source", "incident_id");
ALTER TABLE "incident_events" ADD CONSTRAINT "incident_events_event_id_fkey" FOREIGN KEY ("event_id")
    REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "incidents" (
    "key" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "title" TEXT,
    "title_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "status_at" TIMESTAMPTZ(3) NOT NULL,
    "service" TEXT,
    "environment" TEXT,
    "repository" TEXT,
    "url" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "names" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "event_ids" UUID[],
    CONSTRAINT "incidents_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "incidents_repository_opened_at_idx" ON "incidents"("repository", "opened_at");
CREATE INDEX "incidents_service_opened_at_idx" ON "incidents"("service", "opened_at");
CREATE INDEX "incidents_opened_at_idx" ON "incidents"("opened_at");

CREATE TABLE "groups" (
    "name" TEXT NOT NULL,
    "description" TEXT,
    "repositories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "services" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "groups_pkey" PRIMARY KEY ("name")
);

CREATE TABLE "issue_labels" (
    "key" TEXT NOT NULL,
    "labels" TEXT[],
    "labels_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "issue_labels_pkey" PRIMARY KEY ("key")
);
