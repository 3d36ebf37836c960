-- AlterTable
ALTER TABLE "deploys" DROP COLUMN "range_open",
ADD COLUMN     "range_frontier" TEXT[] DEFAULT ARRAY[]::TEXT[];
