import { DEFAULT_INCIDENT_LABELS } from "../shared/config.js";
import { bounded, LIMITS } from "../shared/bounds.js";
import { issueKey, linearIssueKey } from "../shared/keys.js";
import { BUILTIN_RULES, type BuiltinRule } from "./builtin-rules.js";
import type { EntityFact, Facts, MentionFact } from "./facts.js";
import {
  commitClosingReferences,
  commitMessageReferences,
  githubClosingReferences,
  linearUrlIdentifiers,
  type Magic,
  magicWordIdentifiers,
} from "./text-references.js";

/** Room for one more fact about these keys (LIMITS): an event's fan-out is bounded, over-long keys dropped. */
const fits = (list: unknown[], ...keys: string[]) =>
  list.length < LIMITS.perEvent && keys.every((k) => bounded(k, LIMITS.keyBytes) !== null);

/**
 * Collects the facts of one event; `enabled` switches built-in rules off, `incidentLabels` (INCIDENT_LABELS)
 * make a labelled issue an incident.
 */
export class Collector {
  readonly facts: Facts = { scopes: [], sharedScopes: [], entities: [], links: [], mentions: [], linearTeams: [] };
  constructor(
    readonly enabled: (rule: string) => boolean,
    readonly incidentLabels: string[] = DEFAULT_INCIDENT_LABELS,
  ) {}

  link(from: string, to: string, rule: BuiltinRule, relation: string = BUILTIN_RULES[rule].relation) {
    if (from !== to && this.enabled(rule) && fits(this.facts.links, from, to)) {
      this.facts.links.push({ from, to, relation, rule, confidence: BUILTIN_RULES[rule].confidence });
    }
  }

  mention(from: string, kind: MentionFact["kind"], target: string, rule: BuiltinRule, relation?: string) {
    if (this.enabled(rule) && fits(this.facts.mentions, from) && bounded(target, LIMITS.urlBytes) !== null) {
      const { confidence } = BUILTIN_RULES[rule];
      this.facts.mentions.push({
        from,
        kind,
        target,
        relation: relation ?? BUILTIN_RULES[rule].relation,
        rule,
        confidence,
      });
    }
  }

  entity(e: EntityFact) {
    if (fits(this.facts.entities, e.key)) this.facts.entities.push(e);
  }

  /** Linear and GitHub references in a PR description (code and comments excluded). */
  description(from: string, text: string | null | undefined, repo: string) {
    this.magic(from, magicWordIdentifiers(text));
    this.linearUrls(from, text);
    for (const r of githubClosingReferences(text, repo))
      this.link(from, issueKey(r.repo, r.number), "github-closing-keyword");
  }

  /** Linear and GitHub references in a commit message: subject conventions, reverts and squash dumps too. */
  commitMessage(from: string, message: string | null | undefined, repo: string) {
    this.magic(from, commitMessageReferences(message));
    this.linearUrls(from, message);
    for (const r of commitClosingReferences(message, repo))
      this.link(from, issueKey(r.repo, r.number), "github-closing-keyword");
  }

  private magic(from: string, found: Magic[]) {
    for (const m of found) {
      const rule = m.relation === "reverts" ? "linear-revert" : "linear-magic-word";
      this.mention(from, "linear_identifier", m.identifier, rule, m.relation);
    }
  }

  private linearUrls(from: string, text: string | null | undefined) {
    for (const id of linearUrlIdentifiers(text)) this.link(from, linearIssueKey(id), "linear-url");
  }
}
