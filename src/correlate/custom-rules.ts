import { RE2 } from "re2-wasm";
import { z } from "zod";
import { BUILTIN_RULES } from "./builtin-rules.js";
import type { LinkFact } from "./facts.js";

/** A custom correlation rule (SPEC §7). Unknown fields are refused. */
export const customRuleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "lower-case letters, digits and dashes, 2–63 characters"),
    on: z.string().regex(/^(github|slack|linear|deploy|\*)(\.[a-z0-9_*?]+)*$/, "a type glob such as github.pull_request.*"),
    where: z.record(z.string().regex(/^[\w.]+$/, "a dotted field path"), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    extract: z.strictObject({
      field: z.string().regex(/^[\w.]+$/, "a dotted field path such as payload.pull_request.title"),
      pattern: z.string().min(1).max(500),
    }),
    link: z.strictObject({
      to: z.string().regex(/^(github|linear|slack|deploy):[^\s]*\$[1-9]/, "an entity key template using a capture, such as linear:issue:$1"),
      relation: z.string().regex(/^[a-z_]{2,32}$/, "a relation such as references"),
      confidence: z.number().min(0).max(1),
    }),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((r) => !(r.name in BUILTIN_RULES), { message: "name is taken by a built-in rule", path: ["name"] });

export type CustomRule = z.infer<typeof customRuleSchema>;

export interface CompiledRule {
  rule: CustomRule;
  matchesType: (type: string) => boolean;
  regex: RE2;
}

const globRegex = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".")}$`);

/**
 * Validates and compiles a rule. Patterns run on RE2 (re2-wasm): matching is linear in the input,
 * so no pattern can backtrack catastrophically; constructs RE2 cannot run in linear time
 * (backreferences, lookaround) are refused here with RE2's message.
 */
export function compileRule(input: unknown): { ok: true; compiled: CompiledRule } | { ok: false; errors: string[] } {
  const parsed = customRuleSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join(".") || "rule"}: ${i.message}`) };
  const rule = parsed.data;
  let regex: RE2;
  try {
    regex = new RE2(rule.extract.pattern, "gu");
  } catch (err) {
    return { ok: false, errors: [`extract.pattern: ${(err as Error).message}`] };
  }
  const groups = new RE2(`${rule.extract.pattern}|`, "u").exec("")!.length - 1;
  const used = Math.max(...[...rule.link.to.matchAll(/\$([1-9])/g)].map((m) => Number(m[1])));
  if (used > groups) return { ok: false, errors: [`link.to: uses $${used} but extract.pattern has ${groups} capture group(s)`] };
  return { ok: true, compiled: { rule, matchesType: (t) => globRegex(rule.on).test(t), regex } };
}

/** The unified event as rules see it: `payload.…`, `type`, `subject`, `actor`, `platform`. */
export interface RuleInput {
  id: string;
  platform: string;
  type: string;
  subject: string | null;
  actor: string | null;
  payload: unknown;
}

function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const MAX_INPUT = 65_536;

/** The links a rule makes from one event (from its subject). */
export function applyCustomRule(c: CompiledRule, e: RuleInput): LinkFact[] {
  const { rule } = c;
  if (!e.subject || !c.matchesType(e.type)) return [];
  for (const [path, expected] of Object.entries(rule.where ?? {})) if ((pick(e, path) ?? null) !== expected) return [];
  const value = pick(e, rule.extract.field);
  if (typeof value !== "string" && typeof value !== "number") return [];
  const text = String(value).slice(0, MAX_INPUT);
  const out = new Map<string, LinkFact>();
  c.regex.lastIndex = 0;
  for (let m = c.regex.exec(text); m; m = c.regex.exec(text)) {
    const to = rule.link.to.replace(/\$([1-9])/g, (_s, n: string) => m![Number(n)] ?? "");
    if (to !== e.subject) out.set(to, { from: e.subject, to, relation: rule.link.relation, rule: rule.name, confidence: rule.link.confidence });
    if (m[0] === "") c.regex.lastIndex++;
  }
  return [...out.values()];
}
