import { globToLike } from "../shared/glob.js";
import type { Database } from "../store/prisma.js";
import { inTransaction } from "../store/sql.js";
import { withRetry } from "../store/with-retry.js";
import { BUILTIN_RULES } from "../correlate/builtin-rules.js";
import { correlateEvents } from "./correlate.js";
import { compileRule } from "../correlate/custom-rules.js";
import { loadStoredEvents } from "../store/load-events.js";
import type { Rules } from "./rule-book.js";

const BATCH = 200;

export interface BackfillProgress {
  processed: number;
  total: number;
}

/**
 * Re-applies one rule to every stored event it can match, oldest first, a batch per transaction.
 * Idempotent: links upsert, so running it twice changes nothing. Returns the events processed.
 */
export async function backfillRule({ prisma, pool }: Database, name: string, onProgress: (p: BackfillProgress) => Promise<void>): Promise<BackfillProgress> {
  let rules: Rules;
  let glob = "*";
  if (name in BUILTIN_RULES) {
    rules = { enabled: (r) => r === name, custom: [] };
  } else {
    const row = await prisma.rule.findUnique({ where: { name } });
    const compiled = row && compileRule(row.definition);
    if (!compiled || !compiled.ok) throw new Error(`no valid custom rule ${name}`);
    rules = { enabled: () => false, custom: [compiled.compiled] };
    glob = compiled.compiled.rule.on;
  }
  const like = globToLike(glob);
  const [{ total }] = (await prisma.$queryRaw<Array<{ total: number }>>`SELECT count(*)::int AS total FROM events WHERE type LIKE ${like}`) as [{ total: number }];
  let processed = 0;
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const ids = await prisma.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM events WHERE type LIKE ${like} AND id > ${after}::uuid ORDER BY id LIMIT ${BATCH}`;
    if (!ids.length) break;
    const events = await loadStoredEvents(prisma, ids.map((r) => r.id));
    await withRetry(() => inTransaction(pool, (tx) => correlateEvents(tx, events, rules)));
    processed += ids.length;
    after = ids.at(-1)!.id;
    await onProgress({ processed, total });
  }
  return { processed, total };
}
