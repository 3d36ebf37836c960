import { createHash } from "node:crypto";
import type { DeployRef, EntityRef, MilestoneData, MilestoneType } from "../shared/outbound.js";
import { isCommitKey, isIssueKey, isPrKey, repositoryOf } from "../shared/keys.js";
import { linkId, type LinkFact } from "./facts.js";

/** What a milestone's data names, filled in by the store from the entities and deploys it holds. */
export interface Refs {
  entity(key: string): EntityRef;
  deploy(key: string): DeployRef;
}

/**
 * A milestone before its references are read (contract §9). `factKey` is its identity: the outbox keeps
 * one row per fact key, which is what makes it emitted once whatever the arrival order. Null for
 * a `link.created` of a link that is written only once (its creation is the fact).
 */
export interface MilestoneDraft<T extends MilestoneType = MilestoneType> {
  type: T;
  factKey: string | null;
  subject: string;
  repository: string | null;
  environment: string | null;
  /** Entity and deploy keys `data` reads. */
  entities: string[];
  deploys: string[];
  data(refs: Refs): MilestoneData[T];
}

const isPr = isPrKey;
const ref = (l: LinkFact) => ({ from: l.from, to: l.to, relation: l.relation, rule: l.rule, confidence: l.confidence });

/**
 * Milestones of links a statement created: `link.created` for each, `pr.reverted` for a revert of a PR.
 * `derived` links (a deploy's range) can be removed and made again when the range moves: their
 * creation is keyed, so it is told once.
 */
export function linkMilestones(created: LinkFact[], derived = false): MilestoneDraft[] {
  const drafts: MilestoneDraft[] = [];
  for (const l of created) {
    drafts.push({
      type: "link.created",
      factKey: derived ? `link.created:${linkId(l)}` : null,
      subject: l.from,
      repository: repositoryOf(l.from) ?? repositoryOf(l.to),
      environment: null,
      entities: [],
      deploys: [],
      data: () => ({ link: ref(l) }),
    });
    if (l.relation === "reverts" && isPr(l.to))
      drafts.push({
        type: "pr.reverted",
        factKey: `pr.reverted:${l.to}|${l.from}`,
        subject: l.to,
        repository: repositoryOf(l.to),
        environment: null,
        entities: [l.to, l.from],
        deploys: [],
        data: (r) => ({
          pullRequest: r.entity(l.to),
          revertedBy: r.entity(l.from),
          repository: repositoryOf(l.to),
          rule: l.rule,
        }),
      });
  }
  return drafts;
}

/** A deploy's range after a recompute: what it ships and how. */
export interface DeployRange {
  key: string;
  repository: string;
  environment: string;
  previous: string | null;
  rangeKnown: boolean;
  /** `ships` targets: commits, PRs and issues. */
  ships: string[];
  /** Issue key → the PRs of this deploy that close or reference it. */
  issuePullRequests: Map<string, string[]>;
  /** The deploy it rolls back, if it does. */
  rollsBack: string | null;
}

/**
 * Milestones of a deploy whose range a recompute changed: `deploy.changes` (once per distinct range),
 * `pr.shipped` / `issue.shipped` for what it ships newly (once per entity and environment: the first
 * deploy that ships it there), `deploy.rolled_back` once per deploy.
 */
export function deployMilestones(d: DeployRange, newlyShipped: string[], rolledBack: boolean): MilestoneDraft[] {
  const prs = d.ships.filter(isPr).sort();
  const issues = d.ships.filter(isIssueKey).sort();
  const commits = d.ships.filter(isCommitKey).sort();
  const where = { repository: d.repository, environment: d.environment };
  const digest = createHash("sha1")
    .update(JSON.stringify([d.previous, d.rangeKnown, commits, prs, issues]))
    .digest("hex");
  const drafts: MilestoneDraft[] = [
    {
      type: "deploy.changes",
      factKey: `deploy.changes:${d.key}|${digest}`,
      subject: d.key,
      ...where,
      entities: [...commits, ...prs, ...issues],
      deploys: [d.key],
      data: (r) => ({
        deploy: r.deploy(d.key),
        ...where,
        rangeKnown: d.rangeKnown,
        previous: d.previous,
        commits: commits.map(r.entity),
        pullRequests: prs.map(r.entity),
        issues: issues.map(r.entity),
      }),
    },
  ];
  for (const key of newlyShipped.filter(isPr).sort())
    drafts.push({
      type: "pr.shipped",
      factKey: `pr.shipped:${key}|${d.environment}`,
      subject: key,
      ...where,
      entities: prs,
      deploys: [d.key],
      data: (r) => ({ deploy: r.deploy(d.key), ...where, pullRequest: r.entity(key), pullRequests: prs.map(r.entity) }),
    });
  for (const key of newlyShipped.filter(isIssueKey).sort()) {
    const via = [...(d.issuePullRequests.get(key) ?? [])].sort();
    drafts.push({
      type: "issue.shipped",
      factKey: `issue.shipped:${key}|${d.environment}`,
      subject: key,
      ...where,
      entities: [key, ...via],
      deploys: [d.key],
      data: (r) => ({ deploy: r.deploy(d.key), ...where, issue: r.entity(key), pullRequests: via.map(r.entity) }),
    });
  }
  if (rolledBack && d.rollsBack) {
    const previous = d.rollsBack;
    drafts.push({
      type: "deploy.rolled_back",
      factKey: `deploy.rolled_back:${d.key}`,
      subject: d.key,
      ...where,
      entities: [],
      deploys: [d.key],
      data: (r) => ({ deploy: r.deploy(d.key), rolledBack: previous, ...where }),
    });
  }
  return drafts;
}
