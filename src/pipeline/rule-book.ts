import { compileRule, type CompiledRule } from "../correlate/custom-rules.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { listRules } from "../store/rules.js";

export interface Rules {
  enabled: (rule: string) => boolean;
  custom: CompiledRule[];
  /** How incidents are told and ranked (INCIDENT_LABELS, INCIDENT_SUSPECT_WINDOW_HOURS, PRODUCTION_ENVIRONMENTS). */
  incidents?: IncidentSettings;
  /** A custom rule that threw on an event: counted and logged by the caller, the event goes on without it. */
  failed?: (rule: string, err: unknown) => void;
}

export interface RuleBookOptions {
  ttlMs?: number;
  /** A stored rule the code no longer accepts: said once per version, and the rule is left out. */
  onInvalid?: (name: string, version: number, errors: string[]) => void;
  onFailed?: (rule: string, err: unknown) => void;
  incidents?: IncidentSettings;
}

export interface IncidentSettings {
  labels: string[];
  windowMs: number;
  production: string[];
}

/** The settings from the configuration (its defaults when not given). */
export const incidentSettings = (c: {
  INCIDENT_LABELS: string[];
  INCIDENT_SUSPECT_WINDOW_HOURS: number;
  PRODUCTION_ENVIRONMENTS: string[];
}): IncidentSettings => ({
  labels: c.INCIDENT_LABELS,
  windowMs: c.INCIDENT_SUSPECT_WINDOW_HOURS * 3_600_000,
  production: c.PRODUCTION_ENVIRONMENTS,
});

/**
 * The rules in force, read from the `rules` table and cached briefly: a change made through the
 * API is seen by this process at once (invalidate) and by the other workers within `ttlMs`.
 * Each custom rule is compiled once per version, not at every reload.
 */
export function createRuleBook(prisma: PrismaClient, o: RuleBookOptions = {}) {
  const ttlMs = o.ttlMs ?? 2000;
  let cached: { at: number; rules: Rules } | null = null;
  const compiled = new Map<string, { version: number; rule: CompiledRule | null }>();

  function compiledVersion(name: string, version: number, definition: unknown): CompiledRule | null {
    const hit = compiled.get(name);
    if (hit?.version === version) return hit.rule;
    const c = compileRule(definition);
    if (!c.ok) o.onInvalid?.(name, version, c.errors);
    const rule = c.ok ? c.compiled : null;
    compiled.set(name, { version, rule });
    return rule;
  }

  async function load(): Promise<Rules> {
    const rows = await listRules(prisma);
    const disabled = new Set(rows.filter((r) => !r.enabled).map((r) => r.name));
    const custom: CompiledRule[] = [];
    for (const r of rows) {
      if (r.builtin || !r.enabled) continue;
      const rule = compiledVersion(r.name, r.version, r.definition);
      if (rule) custom.push(rule);
    }
    for (const name of compiled.keys()) if (!rows.some((r) => r.name === name)) compiled.delete(name);
    return { enabled: (name) => !disabled.has(name), custom, failed: o.onFailed, incidents: o.incidents };
  }

  return {
    async current(): Promise<Rules> {
      if (!cached || Date.now() - cached.at > ttlMs) cached = { at: Date.now(), rules: await load() };
      return cached.rules;
    },
    invalidate() {
      cached = null;
    },
  };
}

export type RuleBook = ReturnType<typeof createRuleBook>;
