import type { NormalizedEvent, Platform } from "../shared/event.js";
import { commitKey, commitKeyIfSha, deployKey, issueKey, keysFromUrls, linearIssueKey, prKey } from "../shared/keys.js";
import { BUILTIN_RULES, type BuiltinRule } from "./builtin-rules.js";
import type { CommitFact, EntityFact, Facts, MentionFact } from "./facts.js";
import { branchIdentifiers, githubClosingReferences, linearIdentifiers, linearUrlIdentifiers, magicWordIdentifiers, revertOf, urls } from "./text-references.js";

type Obj = Record<string, any>;

export interface StoredEvent extends NormalizedEvent {
  id: string;
  platform: Platform;
}

/** The kind of entity a key names: `github:pr:…` → `github.pr`, `deploy:generic:…` → `deploy`. */
export function kindOf(key: string): string {
  const [a, b] = key.split(":");
  return a === "deploy" ? "deploy" : `${a}.${b}`;
}

const ZERO = /^0{40}$/;
const firstLine = (s: unknown) => (typeof s === "string" ? s.split("\n")[0]!.slice(0, 200) : null);

/** Collects facts for one event; `enabled` switches built-in rules off. */
class Collector {
  readonly facts: Facts = { scopes: [], sharedScopes: [], entities: [], links: [], mentions: [], linearTeams: [] };
  constructor(readonly enabled: (rule: string) => boolean) {}

  link(from: string, to: string, rule: BuiltinRule, relation: string = BUILTIN_RULES[rule].relation) {
    if (from !== to && this.enabled(rule)) this.facts.links.push({ from, to, relation, rule, confidence: BUILTIN_RULES[rule].confidence });
  }
  mention(from: string, kind: MentionFact["kind"], target: string, rule: BuiltinRule, relation: string = BUILTIN_RULES[rule].relation) {
    if (this.enabled(rule)) this.facts.mentions.push({ from, kind, target, relation, rule, confidence: BUILTIN_RULES[rule].confidence });
  }
  entity(e: EntityFact) {
    this.facts.entities.push(e);
  }

  /** Linear references in developer text (PR bodies, commit messages). */
  developerText(from: string, text: string | null | undefined, repo: string) {
    for (const m of magicWordIdentifiers(text)) this.mention(from, "linear_identifier", m.identifier, "linear-magic-word", m.relation);
    for (const id of linearUrlIdentifiers(text)) this.link(from, linearIssueKey(id), "linear-url");
    for (const r of githubClosingReferences(text, repo)) this.link(from, issueKey(r.repo, r.number), "github-closing-keyword");
  }
}

function pullRequestFacts(c: Collector, p: Obj, repo: string) {
  const pr: Obj = p.pull_request;
  const key = prKey(repo, pr.number);
  const merged = pr.merged === true || Boolean(pr.merged_at);
  c.entity({ key, kind: "github.pr", title: pr.title, state: merged ? "merged" : pr.state, url: pr.html_url });
  const head = commitKeyIfSha(repo, pr.head?.sha);
  if (head) c.link(key, head, "pr-head-commit");
  const merge = merged ? commitKeyIfSha(repo, pr.merge_commit_sha) : null;
  if (merge) c.link(key, merge, "pr-merge-commit");
  for (const id of branchIdentifiers(pr.head?.ref)) c.mention(key, "linear_identifier", id, "linear-id-in-branch");
  for (const id of linearIdentifiers(pr.title)) c.mention(key, "linear_identifier", id, "linear-id-in-title");
  c.developerText(key, pr.body, repo);
  const revert = revertOf({ title: pr.title, body: pr.body, headRef: pr.head?.ref }, repo);
  if (revert.body) c.link(key, prKey(revert.body.repo, revert.body.number), "revert-body");
  if (revert.branch) c.link(key, prKey(revert.branch.repo, revert.branch.number), "revert-branch");
  c.facts.pullRequest = {
    key,
    repository: repo,
    number: pr.number,
    title: pr.title ?? "",
    headRef: pr.head?.ref ?? null,
    baseRef: pr.base?.ref ?? null,
    headSha: pr.head?.sha ?? null,
    mergeCommitSha: merged ? (pr.merge_commit_sha ?? null) : null,
    merged,
    createdAt: pr.created_at ? new Date(pr.created_at) : null,
    mergedAt: pr.merged_at ? new Date(pr.merged_at) : merged && pr.closed_at ? new Date(pr.closed_at) : null,
    updatedAt: new Date(pr.updated_at ?? pr.closed_at ?? pr.created_at ?? 0),
    revertsByTitle: revert.title,
  };
}

/**
 * Push ancestry: GitHub lists the commits new to the branch, oldest first, so each one's parent is
 * taken to be the one before it, and the first one's the branch's previous head. For true merges
 * that is not the real parent, but it preserves what ranges need: reachability from `after` down to
 * `before`. A forced push or a new branch leaves the first commit's parent unknown.
 */
function pushFacts(c: Collector, p: Obj, repo: string) {
  const branch = typeof p.ref === "string" && p.ref.startsWith("refs/heads/") ? p.ref.slice("refs/heads/".length) : null;
  const list: Obj[] = p.commits ?? [];
  const commits: CommitFact[] = [];
  let parent: string | null = !p.forced && p.before && !ZERO.test(p.before) ? p.before.toLowerCase() : null;
  for (const commit of list) {
    const sha = String(commit.id).toLowerCase();
    commits.push({ sha, parents: parent ? [parent] : [], message: commit.message ?? null, authoredAt: commit.timestamp ? new Date(commit.timestamp) : null });
    c.entity({ key: commitKey(repo, sha), kind: "github.commit", title: firstLine(commit.message), url: commit.url });
    c.developerText(commitKey(repo, sha), commit.message, repo);
    parent = sha;
  }
  const after = p.after && !ZERO.test(p.after) ? String(p.after).toLowerCase() : null;
  if (after && !commits.some((x) => x.sha === after)) {
    commits.push({ sha: after, parents: parent ? [parent] : [], message: p.head_commit?.message ?? null, authoredAt: p.head_commit?.timestamp ? new Date(p.head_commit.timestamp) : null });
  }
  c.facts.push = { repository: repo, branch, commits };
}

function githubFacts(c: Collector, e: StoredEvent) {
  const p = e.payload as Obj;
  const row = e.rows.github!;
  const repo = row.repository;
  if (!repo) return;
  c.facts.scopes.push(`repo:${repo}`);
  switch (row.name) {
    case "pull_request":
    case "pull_request_review":
    case "pull_request_review_comment":
    case "pull_request_review_thread":
      pullRequestFacts(c, p, repo);
      break;
    case "push":
      pushFacts(c, p, repo);
      break;
    case "issues":
      c.entity({ key: issueKey(repo, p.issue.number), kind: "github.issue", title: p.issue.title, state: p.issue.state, url: p.issue.html_url });
      break;
  }
  if (e.rows.deployment) deployFacts(c, e);
}

function deployFacts(c: Collector, e: StoredEvent) {
  const d = e.rows.deployment!;
  const key = deployKey(d.source, d.deployId);
  c.facts.scopes.push(`repo:${d.repository}`);
  if (d.url) c.facts.scopes.push(`url:${d.url}`);
  c.entity({ key, kind: "deploy", title: `${d.repository} → ${d.environment}`, state: d.status, url: d.url });
  const sha = d.sha ? commitKeyIfSha(d.repository, d.sha) : null;
  if (sha) c.link(key, sha, "deploy-sha");
  if (d.sha) {
    c.facts.deploy = {
      key,
      repository: d.repository,
      environment: d.environment,
      sha: d.sha.toLowerCase(),
      status: d.status,
      url: d.url,
      startedAt: d.startedAt,
      finishedAt: d.finishedAt,
      statusAt: e.occurredAt,
    };
  }
}

function slackFacts(c: Collector, e: StoredEvent) {
  const row = e.rows.slack!;
  const from = e.subject;
  if (!from || !from.startsWith("slack:message:") || row.subtype === "message_deleted") return;
  if (row.threadTs && row.channel && row.threadTs !== row.ts) c.link(from, `slack:message:${row.channel}/${row.threadTs}`, "slack-thread");
  const text = row.text ?? "";
  const linked = new Set(keysFromUrls(text));
  for (const key of linked) c.link(from, key, "slack-url");
  const viaUrl = new Set(linearUrlIdentifiers(text));
  for (const id of linearIdentifiers(text)) if (!viaUrl.has(id)) c.mention(from, "linear_identifier", id, "slack-identifier");
  for (const url of urls(text)) {
    if (keysFromUrls(url).length === 0) c.mention(from, "url", url, "slack-deploy-url");
  }
  c.entity({ key: from, kind: "slack.message", title: text.slice(0, 200) || null });
}

function linearFacts(c: Collector, e: StoredEvent) {
  const row = e.rows.linear!;
  const data: Obj = (e.payload as Obj).data ?? {};
  if (row.teamKey) c.facts.linearTeams.push(row.teamKey.toUpperCase());
  if (row.entityType === "Issue" && row.identifier && data.id) {
    c.facts.linearIssue = { id: data.id, identifier: row.identifier };
    c.entity({ key: linearIssueKey(row.identifier), kind: "linear.issue", title: row.title, state: row.state, url: row.url });
  }
  if (row.entityType === "Comment" && e.subject?.startsWith("linear:issue:")) {
    for (const key of keysFromUrls(data.body)) if (key.startsWith("github:")) c.link(e.subject, key, "linear-comment-url");
  }
  if (row.entityType === "Attachment" && row.action !== "remove") {
    const prs = keysFromUrls(data.url).filter((k) => k.startsWith("github:pr:"));
    for (const pr of prs) {
      if (row.identifier) c.link(pr, linearIssueKey(row.identifier), "linear-attachment");
      else if (data.issueId) c.mention(pr, "linear_issue_id", data.issueId, "linear-attachment");
    }
  }
}

/** All the facts of one stored event. Pure: no database access. */
export function extractFacts(e: StoredEvent, enabled: (rule: string) => boolean = () => true): Facts {
  const c = new Collector(enabled);
  for (const key of e.keys) c.entity({ key, kind: kindOf(key) });
  switch (e.platform) {
    case "github":
      githubFacts(c, e);
      break;
    case "deploy":
      deployFacts(c, e);
      break;
    case "slack":
      slackFacts(c, e);
      break;
    case "linear":
      linearFacts(c, e);
      break;
  }
  const f = c.facts;
  for (const m of f.mentions) {
    if (m.kind === "linear_identifier") f.sharedScopes.push(`team:${m.target.split("-")[0]}`);
    if (m.kind === "linear_issue_id") f.sharedScopes.push(`lid:${m.target}`);
    if (m.kind === "url") f.sharedScopes.push(`url:${m.target}`);
  }
  for (const t of f.linearTeams) f.scopes.push(`team:${t}`);
  if (f.linearIssue) f.scopes.push(`lid:${f.linearIssue.id}`);
  return f;
}
