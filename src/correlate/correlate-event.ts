import { applyCustomRule } from "./custom-rules.js";
import { applyFacts } from "./apply-facts.js";
import { extractFacts, type StoredEvent } from "./extract-facts.js";
import type { Tx } from "./graph-store.js";
import type { Rules } from "./rule-book.js";

/** Correlates one stored event, in its transaction: built-in rules' facts, then custom rules' links. */
export async function correlateEvent(tx: Tx, e: StoredEvent, rules: Rules): Promise<void> {
  const facts = extractFacts(e, rules.enabled);
  for (const c of rules.custom) facts.links.push(...applyCustomRule(c, e));
  await applyFacts(tx, e.id, e.occurredAt, facts, rules.enabled);
}
