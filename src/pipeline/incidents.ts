import type { Touched } from "../correlate/incident-suspects.js";
import { DEFAULT_INCIDENT_WINDOW_HOURS, DEFAULT_PRODUCTION_ENVIRONMENTS } from "../shared/config.js";
import { affectedIncidents, rankIncident } from "../store/graph/incident-suspects.js";
import type { Database } from "../store/prisma.js";
import { inTransaction, onConnection } from "../store/sql.js";
import { withRetry } from "../store/with-retry.js";
import type { Rules } from "./rule-book.js";

/**
 * Ranks the suspects of the incidents a committed batch may have changed (docs/incidents.md), each in
 * a transaction of its own, after the batch's: a ranking reads only committed facts, so the last
 * one run sees them all, whatever order the events came in. An incident whose ranking fails for
 * good is left to the next batch touching it (the events themselves are safe); the others go on.
 * Returns the incidents ranked and the failures.
 */
export async function rankIncidents(
  db: Pick<Database, "pool">,
  touched: Touched,
  rules: Rules,
): Promise<{ ranked: number; failures: unknown[] }> {
  const failures: unknown[] = [];
  if (!rules.enabled("incident-suspect")) return { ranked: 0, failures };
  const o = {
    windowMs: rules.incidents?.windowMs ?? DEFAULT_INCIDENT_WINDOW_HOURS * 3_600_000,
    production: rules.incidents?.production ?? DEFAULT_PRODUCTION_ENVIRONMENTS,
  };
  const keys = await withRetry(() => onConnection(db.pool, (sql) => affectedIncidents(sql, touched, o.windowMs)));
  for (const key of keys) {
    try {
      await withRetry(() => inTransaction(db.pool, (tx) => rankIncident(tx, key, o)));
    } catch (err) {
      failures.push(err);
    }
  }
  return { ranked: keys.length - failures.length, failures };
}
