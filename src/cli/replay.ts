import { createRuleBook, type IncidentSettings } from "../pipeline/rule-book.js";
import { replayDeliveries, type ReplayFilter, type ReplayResult } from "../pipeline/replay.js";
import { uuid } from "../api/params.js";
import { PLATFORMS, type Platform } from "../shared/event.js";
import { countDeliveries } from "../store/deliveries.js";
import type { Database } from "../store/prisma.js";
import type { Progress } from "./progress.js";

export interface ReplayOptions {
  platform?: string;
  since?: string;
  limit?: string;
  delivery?: string[];
}

/** The command's options as a replay filter; a wrong value is the user's error, said plainly. */
export function replayFilter(opts: ReplayOptions): ReplayFilter {
  if (opts.platform && !PLATFORMS.includes(opts.platform as Platform))
    throw new Error(`--platform must be one of ${PLATFORMS.join(", ")}`);
  const since = opts.since ? new Date(opts.since) : undefined;
  if (since && Number.isNaN(since.getTime())) throw new Error("--since must be an ISO-8601 date");
  // The ids POST /api/deliveries/:id/reprocess takes, checked as the API checks them.
  const bad = opts.delivery?.find((id) => !uuid.safeParse(id).success);
  if (bad) throw new Error(`--delivery takes raw delivery ids (UUIDs, as GET /api/deliveries lists them), not ${bad}`);
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new Error("--limit must be a positive integer");
  return { ids: opts.delivery, platform: opts.platform as Platform | undefined, since, limit };
}

/** `switchyard replay`: re-process stored deliveries, reporting progress against the count to do. */
export async function replay(
  db: Database,
  filter: ReplayFilter,
  progress: Progress,
  incidents?: IncidentSettings,
): Promise<ReplayResult> {
  const stored = await countDeliveries(db.prisma, filter);
  const total = Math.min(stored, filter.limit ?? stored);
  progress.update(0, total);
  try {
    return await replayDeliveries(db, await createRuleBook(db.prisma, { incidents }).current(), filter, (done) =>
      progress.update(done, Math.max(done, total)),
    );
  } finally {
    progress.stop();
  }
}
