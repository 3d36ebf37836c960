import { applyCustomRule } from "./custom-rules.js";
import { applyFacts } from "./apply-facts.js";
import { extractFacts, type StoredEvent } from "./extract-facts.js";
import type { Tx } from "./graph-store.js";
import type { Rules } from "./rule-book.js";

/** Correlates stored events, in their transaction: built-in rules' facts, then custom rules' links. */
export async function correlateEvents(tx: Tx, events: StoredEvent[], rules: Rules): Promise<void> {
  const items = events.map((e) => {
    const facts = extractFacts(e, rules.enabled);
    for (const c of rules.custom) facts.links.push(...applyCustomRule(c, e));
    return { eventId: e.id, at: e.occurredAt, facts };
  });
  await applyFacts(tx, items, rules.enabled);
}
