import { issueKey, linearIssueKey } from "../shared/keys.js";
import { BUILTIN_RULES, type BuiltinRule } from "./builtin-rules.js";
import type { EntityFact, Facts, MentionFact } from "./facts.js";
import { githubClosingReferences, linearUrlIdentifiers, magicWordIdentifiers } from "./text-references.js";

/** Collects the facts of one event; `enabled` switches built-in rules off. */
export class Collector {
  readonly facts: Facts = { scopes: [], sharedScopes: [], entities: [], links: [], mentions: [], linearTeams: [] };
  constructor(readonly enabled: (rule: string) => boolean) {}

  link(from: string, to: string, rule: BuiltinRule, relation: string = BUILTIN_RULES[rule].relation) {
    if (from !== to && this.enabled(rule)) {
      this.facts.links.push({ from, to, relation, rule, confidence: BUILTIN_RULES[rule].confidence });
    }
  }

  mention(from: string, kind: MentionFact["kind"], target: string, rule: BuiltinRule, relation?: string) {
    if (this.enabled(rule)) {
      const { confidence } = BUILTIN_RULES[rule];
      this.facts.mentions.push({ from, kind, target, relation: relation ?? BUILTIN_RULES[rule].relation, rule, confidence });
    }
  }

  entity(e: EntityFact) {
    this.facts.entities.push(e);
  }

  /** Linear and GitHub references in developer text (PR bodies, commit messages). */
  developerText(from: string, text: string | null | undefined, repo: string) {
    for (const m of magicWordIdentifiers(text)) this.mention(from, "linear_identifier", m.identifier, "linear-magic-word", m.relation);
    for (const id of linearUrlIdentifiers(text)) this.link(from, linearIssueKey(id), "linear-url");
    for (const r of githubClosingReferences(text, repo)) this.link(from, issueKey(r.repo, r.number), "github-closing-keyword");
  }
}
