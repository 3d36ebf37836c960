-- DropIndex
DROP INDEX "links_to_key_idx";

-- CreateIndex
CREATE INDEX "links_to_key_relation_idx" ON "links"("to_key", "relation");
