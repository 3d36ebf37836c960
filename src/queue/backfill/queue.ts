/** The BullMQ queue rule backfills run on (POST /api/rules/:name/backfill adds them; the workers run them). */
export const BACKFILL_QUEUE = "backfill";
