import type { PrismaClient } from "../generated/prisma/client.js";
import { compileRule, type CompiledRule } from "../correlate/custom-rules.js";

export interface Rules {
  enabled: (rule: string) => boolean;
  custom: CompiledRule[];
}

/**
 * The rules in force, read from the `rules` table and cached briefly: a change made through the
 * API is seen by this process at once (invalidate) and by the other workers within `ttlMs`.
 */
export function createRuleBook(prisma: PrismaClient, ttlMs = 2000) {
  let cached: { at: number; rules: Rules } | null = null;
  async function load(): Promise<Rules> {
    const rows = await prisma.rule.findMany();
    const disabled = new Set(rows.filter((r) => !r.enabled).map((r) => r.name));
    const custom: CompiledRule[] = [];
    for (const r of rows) {
      if (r.builtin || !r.enabled) continue;
      const c = compileRule(r.definition);
      if (c.ok) custom.push(c.compiled); // saved rules were validated; skip any the code no longer accepts
    }
    return { enabled: (name) => !disabled.has(name), custom };
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
