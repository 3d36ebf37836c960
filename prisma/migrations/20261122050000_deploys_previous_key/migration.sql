-- CreateIndex
CREATE INDEX "deploys_previous_key_idx" ON "deploys"("previous_key");
