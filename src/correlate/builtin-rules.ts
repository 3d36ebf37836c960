/** The built-in correlation rules: each named, with its relation and confidence (docs/correlation.md). */
export const BUILTIN_RULES = {
  "linear-id-in-branch": {
    relation: "references",
    confidence: 0.9,
    description: "Linear identifier in a PR's head branch name",
  },
  "linear-id-in-title": { relation: "references", confidence: 0.8, description: "Linear identifier in a PR title" },
  "linear-magic-word": {
    relation: "closes|references",
    confidence: 0.95,
    description:
      "Linear identifier after a closing word (closes) or linking word (references) in a PR body or commit " +
      "message, or leading a commit subject (references)",
  },
  "linear-revert": {
    relation: "reverts",
    confidence: 0.9,
    description:
      "Linear identifier that a revert undoes: in an odd-depth revert branch (revert-N-…) or revert commit " +
      'subject (Revert "…"); never closes',
  },
  "linear-url": {
    relation: "references",
    confidence: 0.95,
    description: "Linear issue URL in a PR body or commit message",
  },
  "linear-attachment": {
    relation: "references",
    confidence: 1,
    description: "Linear Attachment webhook carrying a GitHub PR URL",
  },
  "github-closing-keyword": {
    relation: "closes",
    confidence: 0.95,
    description: "GitHub closing keyword (fixes #12, owner/repo#12) in a PR body or commit message",
  },
  "pr-head-commit": { relation: "contains", confidence: 1, description: "A PR's head SHA" },
  "pr-merge-commit": {
    relation: "contains",
    confidence: 1,
    description: "A merged PR's merge commit SHA (squash and rebase merges included)",
  },
  "pr-commit-subject": {
    relation: "contains",
    confidence: 0.8,
    description:
      "A commit whose subject names its PR: squash merges `… (#N)`, merge commits `Merge pull request #N from …`",
  },
  "pr-branch-push": { relation: "contains", confidence: 0.9, description: "Commits pushed to a PR's head branch" },
  "deploy-sha": { relation: "deploys", confidence: 1, description: "The SHA a deploy (of any status) deployed" },
  "deploy-range": {
    relation: "ships",
    confidence: 1,
    description:
      "A successful deploy ships the commits since the previous successful deploy of the same repository, " +
      "service and environment, their PRs and the issues those close or reference",
  },
  rollback: {
    relation: "rolls_back",
    confidence: 0.9,
    description:
      "A successful deploy of an earlier SHA to the same repository, service and environment " +
      "rolls back the previous deploy",
  },
  "revert-body": { relation: "reverts", confidence: 1, description: "PR body `Reverts owner/repo#N`" },
  "revert-branch": { relation: "reverts", confidence: 0.9, description: "PR head branch `revert-N-…`" },
  "revert-title": {
    relation: "reverts",
    confidence: 0.8,
    description: 'PR titled `Revert "<title of another PR of the repository>"`',
  },
  "slack-url": {
    relation: "discusses",
    confidence: 0.9,
    description: "GitHub or Linear URL in a Slack message (or a link_shared event)",
  },
  "slack-identifier": {
    relation: "discusses",
    confidence: 0.7,
    description: "Known Linear identifier in a Slack message",
  },
  "slack-deploy-url": { relation: "discusses", confidence: 0.8, description: "A deploy's URL in a Slack message" },
  "slack-thread": {
    relation: "in_thread",
    confidence: 1,
    description: "A Slack reply belongs to its thread's root message",
  },
  "linear-comment-url": {
    relation: "references",
    confidence: 0.8,
    description: "GitHub URL in a comment on a Linear issue",
  },
  "incident-label": {
    relation: "tracked_in",
    confidence: 1,
    description: "An incident told by an issue carrying an incident label (INCIDENT_LABELS) is tracked in that issue",
  },
  "incident-names": {
    relation: "names",
    confidence: 0.9,
    description:
      "A GitHub or Linear URL in an incident's text; in a repository's incident also a full commit SHA or " +
      "`caused by #N` (`regression from`, `root cause:`, `introduced in`)",
  },
  "incident-suspect": {
    relation: "caused_by",
    confidence: 0.9,
    description:
      "A production deploy of the incident's service or repository before it that shipped a change, ranked by " +
      "evidence: confidence 0.25 to 0.9 per link (docs/incidents.md)",
  },
} as const satisfies Record<string, { relation: string; confidence: number; description: string }>;

export type BuiltinRule = keyof typeof BUILTIN_RULES;

/** Whether `name` is a built-in rule's: hasOwn, not `in` (names such as "constructor" are not). */
export const isBuiltinRule = (name: string): name is BuiltinRule => Object.hasOwn(BUILTIN_RULES, name);
