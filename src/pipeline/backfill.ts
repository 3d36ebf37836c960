import { LOWEST_UUID } from "../shared/bounds.js";
import { globToLike } from "../shared/glob.js";
import type { Database } from "../store/prisma.js";
import { inTransaction } from "../store/sql.js";
import { withRetry } from "../store/with-retry.js";
import { isBuiltinRule } from "../correlate/builtin-rules.js";
import { correlateEvents } from "./correlate.js";
import { rankIncidents } from "./incidents.js";
import { compileRule } from "../correlate/custom-rules.js";
import { countEventsOfType, eventIdsOfType, loadStoredEvents } from "../store/events.js";
import { findRule } from "../store/rules.js";
import type { IncidentSettings, Rules } from "./rule-book.js";

const BATCH = 200;

export interface BackfillProgress {
  processed: number;
  total: number;
}

/**
 * Re-applies one rule to every stored event it can match, oldest first, a batch per transaction.
 * Idempotent: links upsert, so running it twice changes nothing. Returns the events processed.
 */
export async function backfillRule(
  { prisma, pool }: Database,
  name: string,
  onProgress: (p: BackfillProgress) => Promise<void>,
  incidents?: IncidentSettings,
): Promise<BackfillProgress> {
  let rules: Rules;
  let glob = "*";
  if (isBuiltinRule(name)) {
    rules = { enabled: (r) => r === name, custom: [], incidents };
  } else {
    const row = await findRule(prisma, name);
    const compiled = row && compileRule(row.definition);
    if (!compiled || !compiled.ok) throw new Error(`no valid custom rule ${name}`);
    rules = { enabled: () => false, custom: [compiled.compiled], incidents };
    glob = compiled.compiled.rule.on;
  }
  const like = globToLike(glob);
  const total = await countEventsOfType(pool, like);
  let processed = 0;
  let after = LOWEST_UUID;
  for (;;) {
    const ids = await eventIdsOfType(pool, like, after, BATCH);
    if (!ids.length) break;
    const events = await loadStoredEvents(prisma, ids);
    const touched = await withRetry(() => inTransaction(pool, (tx) => correlateEvents(tx, events, rules)));
    // An incident whose ranking failed is ranked again by the next batch touching it.
    await rankIncidents({ pool }, touched, rules);
    processed += ids.length;
    after = ids.at(-1)!;
    await onProgress({ processed, total });
  }
  return { processed, total };
}
