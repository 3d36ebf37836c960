-- AlterTable: when each descriptive field was set, so the latest value wins in any arrival order
ALTER TABLE "entities" ADD COLUMN     "state_at" TIMESTAMPTZ(3),
ADD COLUMN     "title_at" TIMESTAMPTZ(3),
ADD COLUMN     "url_at" TIMESTAMPTZ(3);

-- Existing values: as of the entity's last (title, state) or first (url) sighting
UPDATE "entities" SET
  "title_at" = CASE WHEN "title" IS NOT NULL THEN "last_seen_at" END,
  "state_at" = CASE WHEN "state" IS NOT NULL THEN "last_seen_at" END,
  "url_at" = CASE WHEN "url" IS NOT NULL THEN "first_seen_at" END;
