import { compileGlob } from "../shared/glob.js";
import { RE2JS } from "re2js";
import { z } from "zod";
import { customRuleSchema } from "./rule-schema.js";
import type { LinkFact } from "./facts.js";

/** Text a pattern sees is cut to this many UTF-16 code units (contract §7: matching cost is bounded by the text). */
export const MAX_MATCH_INPUT = 65_536;
/** At most this many distinct links per event per rule (contract §7: one event yields a bounded number of links). */
export const MAX_LINKS_PER_RULE = 100;
/**
 * Largest compiled pattern accepted, in RE2 instructions. Matching is linear in the text but its constant grows with
 * the program: `(.{96})` over 64 KiB takes ~0.3 s, so bigger programs (long bounded repeats) are refused on save.
 * Realistic patterns are far smaller (`\b([0-9a-f]{7,40})\b` is 79).
 */
const MAX_PATTERN_PROGRAM = 100;

export type CustomRule = z.infer<typeof customRuleSchema>;

export interface CompiledRule {
  rule: CustomRule;
  matchesType: (type: string) => boolean;
  /** RE2JS (pure JS, garbage-collected, linear time); stateless, so one instance may be shared. */
  regex: RE2JS;
  /** Capture groups in `regex` (group 0, the whole match, excluded). */
  groups: number;
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

// ---------------------------------------------------------------------------------------------------------------
// Patterns

/**
 * Rewrites the JS escapes RE2 lacks, `\uXXXX` and `\u{X…}`, as RE2's `\x{…}` (a `\uD83D\uDE00` surrogate pair
 * becomes one code point). Everything else goes to RE2 verbatim, so RE2 refuses what it cannot run in linear time.
 */
function translateJsEscapes(pattern: string): string {
  if (!pattern.includes("\\u")) return pattern;
  let out = "";
  let i = 0;
  const hex4 = (at: number) => [0, 1, 2, 3].every((k) => isHex(pattern[at + k]));
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c !== "\\" || i + 1 >= pattern.length) {
      out += c;
      i++;
      continue;
    }
    if (pattern[i + 1] === "u" && pattern[i + 2] === "{") {
      const close = pattern.indexOf("}", i + 3);
      const digits = close < 0 ? "" : pattern.slice(i + 3, close);
      if (digits !== "" && [...digits].every(isHex)) {
        out += `\\x{${digits}}`;
        i = close + 1;
        continue;
      }
    } else if (pattern[i + 1] === "u" && hex4(i + 2)) {
      let cp = parseInt(pattern.slice(i + 2, i + 6), 16);
      i += 6;
      if (cp >= 0xd800 && cp <= 0xdbff && pattern.startsWith("\\u", i) && hex4(i + 2)) {
        const low = parseInt(pattern.slice(i + 2, i + 6), 16);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          i += 6;
        }
      }
      out += `\\x{${cp.toString(16)}}`;
      continue;
    }
    out += pattern.slice(i, i + 2); // any other escape, `\\` included, is kept as a pair
    i += 2;
  }
  return out;
}

/** Says why RE2 refused a construct people reach for, after RE2's own message. */
function hint(message: string): string {
  if (/`\\(?:[1-9]|k)/.test(message)) return " (backreferences are not supported: RE2 matches in linear time)";
  if (/`\(\?<?[=!]/.test(message)) return " (lookahead and lookbehind are not supported: RE2 matches in linear time)";
  return "";
}

type Compiled = { ok: true; compiled: CompiledRule } | { ok: false; errors: string[] };

/**
 * Validates and compiles a rule. Patterns run on RE2JS: matching is linear in the input and compiled patterns are
 * ordinary garbage-collected objects, so compiling any number of times neither leaks nor ever starts to fail.
 * Constructs RE2 cannot run in linear time (backreferences, lookaround) are refused with RE2's message.
 */
export function compileRule(input: unknown): Compiled {
  const parsed = customRuleSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join(".") || "rule"}: ${i.message}`) };
  }
  const rule = parsed.data;
  let regex: RE2JS;
  try {
    // No flags: case-sensitive, `^`/`$` at the ends of the text, `.` not matching \n, Unicode-aware — as in JS.
    regex = RE2JS.compile(translateJsEscapes(rule.extract.pattern));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [`extract.pattern: ${message}${hint(message)}`] };
  }
  const size = regex.programSize();
  if (size > MAX_PATTERN_PROGRAM) {
    return {
      ok: false,
      errors: [
        `extract.pattern: too large (${size} RE2 instructions, at most ${MAX_PATTERN_PROGRAM}); ` +
          "shorten long bounded repeats such as .{500}",
      ],
    };
  }
  const groups = regex.groupCount();
  const used = Math.max(...[...rule.link.to.matchAll(/\$([1-9])/g)].map((m) => Number(m[1])));
  if (used > groups) {
    return { ok: false, errors: [`link.to: uses $${used} but extract.pattern has ${groups} capture group(s)`] };
  }
  return { ok: true, compiled: { rule, matchesType: compileGlob(rule.on), regex, groups } };
}

// ---------------------------------------------------------------------------------------------------------------
// Applying

/** The unified event as rules see it: `payload.…`, `type`, `subject`, `actor`, `platform`. */
export interface RuleInput {
  id: string;
  platform: string;
  type: string;
  subject: string | null;
  actor: string | null;
  payload: unknown;
}

/** Reads a dotted path through own properties only (no `constructor`, `__proto__` or other inherited values). */
function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Cuts text to MAX_MATCH_INPUT, without leaving half a surrogate pair at the end. */
function bounded(text: string): string {
  if (text.length <= MAX_MATCH_INPUT) return text;
  const code = text.charCodeAt(MAX_MATCH_INPUT - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? MAX_MATCH_INPUT - 1 : MAX_MATCH_INPUT);
}

/**
 * The texts a field offers: a string or number; or each string or number of a list (a published event's
 * `payload.keys`), matched one by one, within MAX_MATCH_INPUT characters in all.
 */
function textsOf(value: unknown): string[] {
  if (typeof value === "string" || typeof value === "number") return [String(value)];
  if (!Array.isArray(value)) return [];
  const texts: string[] = [];
  let left = MAX_MATCH_INPUT;
  for (const v of value) {
    if (left <= 0) break;
    if (typeof v !== "string" && typeof v !== "number") continue;
    texts.push(String(v).slice(0, left));
    left -= texts[texts.length - 1]!.length;
  }
  return texts;
}

/**
 * The links a rule makes from one event (from its subject): at most MAX_LINKS_PER_RULE distinct ones, from the first
 * MAX_MATCH_INPUT characters of the field. A match whose referenced groups are all empty or unmatched makes no link
 * (it would name no entity), and neither does one that points back at the subject.
 */
export function applyCustomRule(c: CompiledRule, e: RuleInput): LinkFact[] {
  const { rule } = c;
  if (!e.subject || !c.matchesType(e.type)) return [];
  for (const [path, expected] of Object.entries(rule.where ?? {})) if ((pick(e, path) ?? null) !== expected) return [];
  const out = new Map<string, LinkFact>();
  for (const text of textsOf(pick(e, rule.extract.field))) matchInto(out, c, e.subject, text);
  return [...out.values()];
}

/** Adds the links one text makes to `out`, up to MAX_LINKS_PER_RULE in all. */
function matchInto(out: Map<string, LinkFact>, c: CompiledRule, subject: string, text: string): void {
  const { rule } = c;
  // A Matcher holds the match state, so each call has its own; the compiled RE2JS is shared and stateless.
  // find() steps past an empty match by itself, so zero-length matches advance; the loop ends with the text.
  const m = c.regex.matcher(bounded(text));
  while (out.size < MAX_LINKS_PER_RULE && m.find()) {
    let captured = false;
    const to = rule.link.to.replace(/\$([1-9])/g, (_s, n: string) => {
      const g = m.group(Number(n)) ?? "";
      if (g !== "") captured = true;
      return g;
    });
    if (!captured || to === subject || out.has(to)) continue;
    const { relation, confidence } = rule.link;
    out.set(to, { from: subject, to, relation, rule: rule.name, confidence });
  }
}
