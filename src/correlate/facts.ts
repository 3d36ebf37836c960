import type { BuiltinRule } from "./builtin-rules.js";
import type { LinkRef } from "../shared/outbound.js";

/** What one event tells the correlation engine, before any lookup. Produced by extract-facts.ts. */

/** A link (contract §5), as facts propose it and as `link.created` tells it. */
export type LinkFact = LinkRef;

/**
 * A link's identity, `from|to|relation|rule`: its `link.created` fact key, the graph answer's
 * dedupe key and the console's edge id.
 */
export const linkId = (l: Pick<LinkFact, "from" | "to" | "relation" | "rule">) =>
  `${l.from}|${l.to}|${l.relation}|${l.rule}`;

/** A reference to something identified only once another event names it (see Mention in the schema). */
export interface MentionFact {
  from: string;
  kind: "linear_identifier" | "linear_issue_id" | "url";
  target: string;
  relation: string;
  rule: BuiltinRule;
  confidence: number;
}

export interface EntityFact {
  key: string;
  kind: string;
  title?: string | null;
  state?: string | null;
  url?: string | null;
}

export interface PullRequestFact {
  key: string;
  repository: string;
  number: number;
  title: string;
  headRef: string | null;
  baseRef: string | null;
  headSha: string | null;
  mergeCommitSha: string | null;
  merged: boolean;
  createdAt: Date | null;
  mergedAt: Date | null;
  updatedAt: Date;
  revertsByTitle: string | null;
  /** The author's login, for lead time's pickup stage (a review by anyone else ends it). */
  author: string | null;
  /** When a review by someone other than the author was submitted, from a review event; else null. */
  firstReviewAt: Date | null;
}

export interface CommitFact {
  sha: string;
  parents: string[];
  message: string | null;
  authoredAt: Date | null;
}

export interface PushFact {
  repository: string;
  branch: string | null;
  commits: CommitFact[];
}

export interface DeployFact {
  key: string;
  repository: string;
  /** Ranges are per (repository, service, environment) (contract §5). */
  service: string;
  environment: string;
  sha: string;
  status: string;
  url: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  statusAt: Date;
}

/** An incident as one event tells it (an incident sender's event, or a labelled issue's). */
export interface IncidentFact {
  key: string;
  source: string;
  status: "open" | "acknowledged" | "resolved";
  /** When this event happened: the latest status wins, in any arrival order. */
  statusAt: Date;
  openedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  title: string | null;
  service: string | null;
  environment: string | null;
  repository: string | null;
  url: string | null;
  /** Entity keys it names (PRs, commits, issues, deploys). */
  names: string[];
}

/** An issue's labels as of one event (GitHub and Linear issues). */
export interface IssueLabelsFact {
  key: string;
  labels: string[];
  at: Date;
}

export interface Facts {
  /** Advisory-lock scopes the event's joins read and write; taken before any write. */
  scopes: string[];
  /** Scopes of what the event only mentions (a team, issue id or deploy URL not seen yet): taken shared. */
  sharedScopes: string[];
  entities: EntityFact[];
  links: LinkFact[];
  mentions: MentionFact[];
  pullRequest?: PullRequestFact;
  push?: PushFact;
  deploy?: DeployFact;
  linearTeams: string[];
  linearIssue?: { id: string; identifier: string };
  incident?: IncidentFact;
  issueLabels?: IssueLabelsFact;
}
