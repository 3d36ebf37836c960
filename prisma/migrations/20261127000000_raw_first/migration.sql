-- Raw first (contract §8): the verbatim delivery is stored before it is normalized, with the classification
-- made by the receiver. A delivery that cannot become an event keeps the reason here.
ALTER TABLE "raw_deliveries" ADD COLUMN     "error" TEXT,
ADD COLUMN     "failed_at" TIMESTAMPTZ(3),
ADD COLUMN     "priority" TEXT,
ADD COLUMN     "type" TEXT;

-- Deliveries stored before: their classification is that of their event.
UPDATE "raw_deliveries" SET "type" = e."type", "priority" = e."priority" FROM "events" e WHERE e."id" = "raw_deliveries"."id";

-- CreateIndex
CREATE INDEX "raw_deliveries_failed_at_id_idx" ON "raw_deliveries"("failed_at", "id");
