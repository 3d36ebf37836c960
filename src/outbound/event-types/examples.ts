import type { DeployRef, EntityRef, MilestoneData } from "../../shared/outbound.js";

/** Examples of each milestone's data for the catalog; test/e2e/event-types.test.ts checks them against their schemas. */

const pr: EntityRef = {
  key: "github:pr:acme/web#42",
  title: "Retry flaky uploads",
  url: "https://github.com/acme/web/pull/42",
};
const issue: EntityRef = {
  key: "linear:issue:ENG-7",
  title: "Uploads fail on slow links",
  url: "https://linear.app/acme/issue/ENG-7",
};
const deploy: DeployRef = {
  key: "deploy:generic:dep-123",
  repository: "acme/web",
  service: "web",
  environment: "production",
  sha: "9fceb02d0ae598e95dc970b74767f19372d61af8",
  status: "succeeded",
  url: "https://ci.example.com/deploys/123",
  at: "2026-01-15T10:00:00.000Z",
};
const where = { environment: "production", repository: "acme/web" };

export const MILESTONE_EXAMPLES: MilestoneData = {
  "link.created": {
    link: {
      from: "github:pr:acme/web#42",
      to: "linear:issue:ENG-7",
      relation: "closes",
      rule: "linear-magic-word",
      confidence: 1,
    },
  },
  "pr.shipped": { deploy, ...where, pullRequest: pr, pullRequests: [pr] },
  "issue.shipped": { deploy, ...where, issue, pullRequests: [pr] },
  "deploy.changes": {
    deploy,
    ...where,
    rangeKnown: true,
    previous: "deploy:generic:dep-122",
    commits: [
      { key: "github:commit:acme/web@9fceb02d0ae598e95dc970b74767f19372d61af8", title: "Retry uploads", url: null },
    ],
    pullRequests: [pr],
    issues: [issue],
  },
  "pr.reverted": {
    pullRequest: pr,
    revertedBy: { key: "github:pr:acme/web#43", title: 'Revert "Retry flaky uploads"', url: null },
    repository: "acme/web",
    rule: "revert-body",
  },
  "deploy.rolled_back": { deploy, rolledBack: "deploy:generic:dep-121", ...where },
  "incident.linked": {
    incident: {
      key: "incident:pagerduty:PABC123",
      title: "Upload errors above 5%",
      url: "https://acme.pagerduty.com/incidents/PABC123",
      source: "pagerduty",
      status: "open",
      service: "web",
      environment: "production",
      repository: "acme/web",
      openedAt: "2026-01-15T10:20:00.000Z",
      resolvedAt: null,
    },
    deploy,
    confidence: 0.8,
    rule: "incident-suspect",
    reasons: ["deployed to production 20 minutes before the incident opened"],
    suspects: [{ deploy: "deploy:generic:dep-123", confidence: 0.8 }],
  },
};
