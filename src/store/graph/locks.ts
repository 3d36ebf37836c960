import { SCOPE_KINDS } from "../../shared/keys.js";
import type { Sql as Tx } from "../sql.js";

/** Lock order: teams, Linear issue ids, URLs, repositories (SCOPE_KINDS); sorted within each. */
const rank = (s: string) => SCOPE_KINDS.findIndex((k) => s.startsWith(`${k}:`));
const byLockOrder = (a: string, b: string) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Serializes correlation per scope (a repository, a Linear team, …) until the transaction ends,
 * taking every scope in one global order. `shared` scopes are taken in shared mode: mentions of a
 * team (issue id, deploy URL) not seen yet do not exclude each other, only its first appearance,
 * which must see them all. A scope in both lists is taken exclusively.
 */
export async function lockScopes(tx: Tx, scopes: string[], shared: string[] = []): Promise<void> {
  const exclusive = new Set(scopes);
  const wanted: Array<{ scope: string; mode: "shared" | "exclusive" }> = [];
  for (const scope of [...new Set([...scopes, ...shared])].sort(byLockOrder)) {
    const mode = exclusive.has(scope) ? "exclusive" : "shared";
    const held = tx.locked.get(scope);
    if (held === "exclusive" || held === mode) continue;
    wanted.push({ scope, mode });
  }
  if (!wanted.length) return;
  // One round trip: a function scan yields the array's elements in order, so the locks are taken
  // one after another in the global order, as separate statements would take them. Keyed by
  // schema too: advisory locks are database-wide, and schemas (tests, tenants) are independent.
  await tx.query`
    SELECT CASE WHEN w.exclusive
             THEN pg_advisory_xact_lock(hashtextextended(current_schema() || chr(31) || w.scope, 0))
             ELSE pg_advisory_xact_lock_shared(hashtextextended(current_schema() || chr(31) || w.scope, 0)) END
    FROM unnest(${wanted.map((w) => w.scope)}::text[], ${wanted.map((w) => w.mode === "exclusive")}::boolean[])
      AS w(scope, exclusive)`;
  for (const { scope, mode } of wanted) tx.locked.set(scope, mode);
}
