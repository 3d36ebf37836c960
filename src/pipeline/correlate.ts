import { applyCustomRule } from "../correlate/custom-rules.js";
import { applyFacts } from "../store/graph/apply-facts.js";
import { extractFacts } from "../correlate/extract-facts.js";
import { PLATFORM_MODULES } from "../platforms/registry.js";
import type { StoredEvent } from "../shared/event.js";
import type { Sql as Tx } from "../store/sql.js";
import type { Rules } from "./rule-book.js";
import { incidentsOf, type Touched } from "../correlate/incident-suspects.js";

/**
 * Correlates stored events, in their transaction: built-in rules' facts, then custom rules' links.
 * Returns what they touched, for rankIncidents once the transaction has committed.
 */
export async function correlateEvents(tx: Tx, events: StoredEvent[], rules: Rules): Promise<Touched> {
  const items = events.map((e) => {
    const facts = extractFacts(e, PLATFORM_MODULES[e.platform].facts, rules.enabled, rules.incidents?.labels);
    for (const c of rules.custom) {
      try {
        facts.links.push(...applyCustomRule(c, e));
      } catch (err) {
        rules.failed?.(c.rule.name, err);
      }
    }
    return { eventId: e.id, at: e.occurredAt, facts };
  });
  const changed = await applyFacts(tx, items, rules.enabled);
  return { ...changed, incidents: incidentsOf(items) };
}
