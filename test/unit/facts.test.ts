import { describe, expect, it } from "vitest";
import { BUILTIN_RULES, type BuiltinRule } from "../../src/correlate/builtin-rules.js";
import { extractFacts } from "../../src/correlate/extract-facts.js";
import type { Facts, LinkFact, MentionFact } from "../../src/correlate/facts.js";
import { PLATFORM_MODULES } from "../../src/platforms/registry.js";
import { githubType } from "../../src/platforms/github/classify.js";
import { linearType } from "../../src/platforms/linear/classify.js";
import { slackType } from "../../src/platforms/slack/classify.js";
import { parseSlackBody } from "../../src/platforms/slack/payload.js";
import { slackBody } from "../../kit/sign.js";
import type { Delivery, Platform, StoredEvent } from "../../src/shared/event.js";
import { loadFixtures } from "../helpers/fixtures.js";

type Obj = Record<string, any>;

const slackFixtures = loadFixtures("slack");
const linearFixtures = loadFixtures("linear");

const HEAD = "1".repeat(40);
const MERGE = "2".repeat(40);
const BEFORE = "3".repeat(40);
const C1 = "4".repeat(40);
const C2 = "5".repeat(40);
const ZERO = "0".repeat(40);
const REPO = "acme/web";
const PR7 = "github:pr:acme/web#7";
const ISSUE_ID = "32d9b289-0098-4a64-9777-523f5d365282";
const commitKey = (sha: string) => `github:commit:${REPO}@${sha}`;

/** Normalizes a body as the worker would and stores it (in memory): what correlation reads. */
function stored(platform: Platform, type: string, body: string, contentType: string, headers = {}): StoredEvent {
  const d: Delivery = {
    id: "evt-1",
    platform,
    deliveryId: "delivery-1",
    receivedAt: "2025-01-01T00:00:00.000Z",
    contentType,
    headers,
    body,
    type,
    priority: "normal",
  };
  return { ...PLATFORM_MODULES[platform].normalize(d), id: d.id, platform };
}

const github = (event: string, payload: Obj) =>
  stored("github", githubType(event, payload), JSON.stringify(payload), "application/json", {
    "x-github-event": event,
  });
const linear = (payload: Obj) => stored("linear", linearType(payload), JSON.stringify(payload), "application/json");
function slack(fixture: { kind: string; payload: Obj }) {
  const { body, contentType } = slackBody(fixture);
  const parsed = parseSlackBody(contentType, body);
  if (parsed.kind === "url_verification") throw new Error("not an event");
  return stored("slack", slackType(parsed), body, contentType);
}
const deploy = (body: Obj) => stored("deploy", `deploy.${body.status}`, JSON.stringify(body), "application/json");

const facts = (e: StoredEvent, enabled?: (rule: string) => boolean): Facts =>
  extractFacts(e, PLATFORM_MODULES[e.platform].facts, enabled);

/** A link as the rule table says it is made: relation and confidence from the rule. */
const link = (
  from: string,
  to: string,
  rule: BuiltinRule,
  relation: string = BUILTIN_RULES[rule].relation,
): LinkFact => ({
  from,
  to,
  rule,
  relation,
  confidence: BUILTIN_RULES[rule].confidence,
});
const mention = (
  from: string,
  kind: MentionFact["kind"],
  target: string,
  rule: BuiltinRule,
  relation: string = BUILTIN_RULES[rule].relation,
): MentionFact => ({ from, kind, target, rule, relation, confidence: BUILTIN_RULES[rule].confidence });

function pullRequest(over: Obj = {}, action = "opened"): Obj {
  return {
    action,
    number: 7,
    pull_request: {
      number: 7,
      title: "ENG-42 Fix checkout timeout",
      body: null,
      state: "open",
      merged: false,
      merged_at: null,
      merge_commit_sha: null,
      head: { sha: HEAD, ref: "alice/ops-7-checkout" },
      base: { ref: "main" },
      html_url: "https://github.com/Acme/Web/pull/7",
      created_at: "2025-01-01T09:00:00Z",
      updated_at: "2025-01-01T09:30:00Z",
      closed_at: null,
      ...over,
    },
    repository: { full_name: "Acme/Web" },
    sender: { login: "alice" },
  };
}

describe("GitHub pull requests", () => {
  it("an opened PR contains its head commit and mentions identifiers of its branch and title", () => {
    const f = facts(github("pull_request", pullRequest()));
    expect(f.links).toEqual([link(PR7, commitKey(HEAD), "pr-head-commit")]);
    expect(f.mentions).toEqual(
      expect.arrayContaining([
        mention(PR7, "linear_identifier", "OPS-7", "linear-id-in-branch"),
        mention(PR7, "linear_identifier", "ENG-42", "linear-id-in-title"),
      ]),
    );
    expect(f.mentions).toHaveLength(2);
    expect(f.scopes).toEqual(["repo:acme/web"]);
    // Teams only mentioned, not seen: taken shared.
    expect(f.sharedScopes.sort()).toEqual(["team:ENG", "team:OPS"]);
    expect(f.pullRequest).toMatchObject({ key: PR7, repository: REPO, number: 7, headSha: HEAD, merged: false });
    expect(f.pullRequest?.mergedAt).toBeNull();
    expect(f.entities).toContainEqual(
      expect.objectContaining({ key: PR7, kind: "github.pr", title: "ENG-42 Fix checkout timeout" }),
    );
  });

  it("a merged PR contains its merge commit too", () => {
    const p = pullRequest(
      {
        state: "closed",
        merged: true,
        merged_at: "2025-01-02T10:00:00Z",
        closed_at: "2025-01-02T10:00:00Z",
        merge_commit_sha: MERGE,
      },
      "closed",
    );
    const f = facts(github("pull_request", p));
    expect(f.links).toEqual(
      expect.arrayContaining([
        link(PR7, commitKey(HEAD), "pr-head-commit"),
        link(PR7, commitKey(MERGE), "pr-merge-commit"),
      ]),
    );
    expect(f.pullRequest).toMatchObject({ merged: true, mergeCommitSha: MERGE });
    expect(f.pullRequest?.mergedAt?.toISOString()).toBe("2025-01-02T10:00:00.000Z");
    expect(f.entities).toContainEqual(expect.objectContaining({ key: PR7, state: "merged" }));
  });

  it("a PR closed unmerged has no merge-commit link (its merge_commit_sha is a test merge)", () => {
    const p = pullRequest({ state: "closed", closed_at: "2025-01-02T10:00:00Z", merge_commit_sha: MERGE }, "closed");
    const f = facts(github("pull_request", p));
    expect(f.links.filter((l) => l.rule === "pr-merge-commit")).toEqual([]);
  });

  it("a review of a merged PR (merged_at only) contains the merge commit", () => {
    const p = pullRequest(
      { merged: undefined, merged_at: "2025-01-02T10:00:00Z", merge_commit_sha: MERGE },
      "submitted",
    );
    p.review = { state: "approved", commit_id: HEAD, submitted_at: "2025-01-02T11:00:00Z" };
    const f = facts(github("pull_request_review", p));
    expect(f.links).toContainEqual(link(PR7, commitKey(MERGE), "pr-merge-commit"));
  });

  it("reads the PR body: magic words, Linear URLs, GitHub closing keywords, reverts", () => {
    const body = [
      "Fixes ENG-9",
      "See https://linear.app/acme/issue/ENG-10/slow",
      "closes #12",
      "Reverts acme/web#5",
    ].join("\n");
    const f = facts(
      github(
        "pull_request",
        pullRequest({ title: 'Revert "Add retries"', body, head: { sha: HEAD, ref: "revert-5-main" } }),
      ),
    );
    expect(f.links).toEqual(
      expect.arrayContaining([
        link(PR7, "linear:issue:ENG-10", "linear-url"),
        link(PR7, "github:issue:acme/web#12", "github-closing-keyword"),
        link(PR7, "github:pr:acme/web#5", "revert-body"),
        link(PR7, "github:pr:acme/web#5", "revert-branch"),
      ]),
    );
    expect(f.mentions).toContainEqual(mention(PR7, "linear_identifier", "ENG-9", "linear-magic-word", "closes"));
    expect(f.pullRequest?.revertsByTitle).toBe("Add retries");
  });
});

describe("GitHub pushes", () => {
  function push(over: Obj = {}): Obj {
    return {
      ref: "refs/heads/main",
      before: BEFORE,
      after: C2,
      forced: false,
      compare: "https://github.com/acme/web/compare/x...y",
      commits: [
        { id: C1, message: "Fixes ENG-42\n\nlonger text", timestamp: "2025-01-01T10:00:00Z", url: "u1" },
        { id: C2, message: "second", timestamp: "2025-01-01T10:01:00Z", url: "u2" },
      ],
      head_commit: { id: C2, message: "second", timestamp: "2025-01-01T10:01:00Z" },
      repository: { full_name: "Acme/Web" },
      ...over,
    };
  }
  const chain = (f: Facts) => f.push?.commits.map((c) => [c.sha, c.parents]);

  it("chains the listed commits, the first one onto `before`", () => {
    const f = facts(github("push", push()));
    expect(f.push).toMatchObject({ repository: REPO, branch: "main" });
    expect(chain(f)).toEqual([
      [C1, [BEFORE]],
      [C2, [C1]],
    ]);
    expect(f.scopes).toEqual(["repo:acme/web"]);
    expect(f.entities).toContainEqual(
      expect.objectContaining({ key: commitKey(C1), kind: "github.commit", title: "Fixes ENG-42" }),
    );
    // Commit messages are developer text.
    expect(f.mentions).toContainEqual(
      mention(commitKey(C1), "linear_identifier", "ENG-42", "linear-magic-word", "closes"),
    );
  });

  it("leaves the first parent unknown on a forced push or a new branch", () => {
    expect(chain(facts(github("push", push({ forced: true }))))?.[0]).toEqual([C1, []]);
    expect(chain(facts(github("push", push({ before: ZERO }))))?.[0]).toEqual([C1, []]);
  });

  it("appends `after` when GitHub does not list it", () => {
    const p = push({ commits: [push().commits[0]] });
    expect(chain(facts(github("push", p)))).toEqual([
      [C1, [BEFORE]],
      [C2, [C1]],
    ]);
    const moved = push({ commits: [] });
    expect(chain(facts(github("push", moved)))).toEqual([[C2, [BEFORE]]]);
    expect(facts(github("push", moved)).push?.commits[0]?.message).toBe("second");
  });

  it("lower-cases SHAs, names no branch for tags, lists nothing for a deletion", () => {
    const upper = push({ before: BEFORE, after: "A".repeat(40), commits: [{ id: "A".repeat(40), message: "m" }] });
    expect(chain(facts(github("push", upper)))).toEqual([["a".repeat(40), [BEFORE]]]);
    expect(facts(github("push", push({ ref: "refs/tags/v1.0.0" }))).push?.branch).toBeNull();
    expect(facts(github("push", push({ after: ZERO, commits: [], head_commit: null }))).push?.commits).toEqual([]);
  });
});

describe("deploys", () => {
  const body = {
    id: "d-1",
    repository: "Acme/Web",
    environment: "production",
    status: "succeeded",
    sha: HEAD,
    url: "https://web.acme.dev/",
    started_at: "2025-01-01T10:00:00Z",
    finished_at: "2025-01-01T10:05:00Z",
  };

  it("a generic deploy deploys its SHA and is a DeployFact", () => {
    const e = deploy(body);
    const f = facts(e);
    expect(f.links).toEqual([link("deploy:generic:d-1", commitKey(HEAD), "deploy-sha")]);
    expect(f.deploy).toEqual({
      key: "deploy:generic:d-1",
      repository: REPO,
      // No `service` in the body: the repository is the service (contract §5).
      service: REPO,
      environment: "production",
      sha: HEAD,
      status: "succeeded",
      url: "https://web.acme.dev/",
      startedAt: new Date("2025-01-01T10:00:00Z"),
      finishedAt: new Date("2025-01-01T10:05:00Z"),
      statusAt: e.occurredAt,
    });
    expect(f.scopes).toEqual(["repo:acme/web", "url:https://web.acme.dev/"]);
    expect(f.entities).toContainEqual(
      expect.objectContaining({ key: "deploy:generic:d-1", kind: "deploy", state: "succeeded" }),
    );
  });

  it("a failed deploy still deploys its SHA (any status)", () => {
    const f = facts(deploy({ ...body, status: "failed" }));
    expect(f.links).toEqual([link("deploy:generic:d-1", commitKey(HEAD), "deploy-sha")]);
    expect(f.deploy?.status).toBe("failed");
  });

  it("a GitHub deployment_status is a deploy of its repository", () => {
    const p = {
      action: "created",
      deployment: { id: 42, sha: MERGE, ref: "main", environment: "production", created_at: "2025-01-01T10:00:00Z" },
      deployment_status: {
        state: "success",
        environment: "production",
        created_at: "2025-01-01T10:03:00Z",
        updated_at: "2025-01-01T10:03:00Z",
      },
      repository: { full_name: "Acme/Web" },
    };
    const f = facts(github("deployment_status", p));
    expect(f.links).toContainEqual(link("deploy:github:42", commitKey(MERGE), "deploy-sha"));
    expect(f.deploy).toMatchObject({ key: "deploy:github:42", repository: REPO, sha: MERGE, status: "succeeded" });
    expect(f.scopes).toContain("repo:acme/web");
  });
});

describe("Slack", () => {
  it("a message discusses the URLs it holds and mentions the identifiers it names", () => {
    const e = slack(slackFixtures.message!);
    const f = facts(e);
    expect(f.links).toEqual([link(e.subject!, PR7, "slack-url")]);
    expect(f.mentions).toEqual([mention(e.subject!, "linear_identifier", "ENG-42", "slack-identifier")]);
    expect(f.sharedScopes).toEqual(["team:ENG"]);
    expect(f.scopes).toEqual([]);
  });

  it("a thread reply belongs to its root", () => {
    const ev = slackFixtures.message_thread_reply!.payload.event;
    const e = slack(slackFixtures.message_thread_reply!);
    expect(facts(e).links).toContainEqual(
      link(`slack:message:${ev.channel}/${ev.ts}`, `slack:message:${ev.channel}/${ev.thread_ts}`, "slack-thread"),
    );
  });

  it("link_shared discusses each link; an identifier read from a URL is not mentioned again", () => {
    const e = slack(slackFixtures.link_shared!);
    const f = facts(e);
    expect(f.links).toEqual(
      expect.arrayContaining([
        link(e.subject!, PR7, "slack-url"),
        link(e.subject!, "linear:issue:ENG-42", "slack-url"),
      ]),
    );
    expect(f.mentions).toEqual([]);
  });

  it("a URL that names no GitHub or Linear entity may be a deploy's", () => {
    const fixture = structuredClone(slackFixtures.message!);
    fixture.payload.event.text = "is <https://preview.acme.dev/checkout> up?";
    const e = slack(fixture);
    const f = facts(e);
    const url = "https://preview.acme.dev/checkout";
    expect(f.mentions).toEqual([mention(e.subject!, "url", url, "slack-deploy-url")]);
    expect(f.sharedScopes).toEqual([`url:${url}`]);
  });

  it("a deleted message links nothing", () => {
    const f = facts(slack(slackFixtures.message_deleted!));
    expect(f.links).toEqual([]);
    expect(f.mentions).toEqual([]);
  });
});

describe("Linear", () => {
  it("an issue is a linearIssue fact of its team, scoped by team and issue id", () => {
    const f = facts(linear(linearFixtures.issue_create!.payload));
    expect(f.linearIssue).toEqual({ id: ISSUE_ID, identifier: "ENG-42" });
    expect(f.linearTeams).toEqual(["ENG"]);
    expect(f.scopes.sort()).toEqual([`lid:${ISSUE_ID}`, "team:ENG"]);
    expect(f.entities).toContainEqual(
      expect.objectContaining({
        key: "linear:issue:ENG-42",
        kind: "linear.issue",
        title: "Checkout page times out on slow networks",
      }),
    );
  });

  it("a comment's GitHub URLs are referenced by its issue", () => {
    const f = facts(linear(linearFixtures.comment_create!.payload));
    expect(f.links).toEqual([link("linear:issue:ENG-42", PR7, "linear-comment-url")]);
    expect(f.linearTeams).toEqual(["ENG"]);
    expect(f.linearIssue).toBeUndefined();
  });

  it("an attachment of a PR with a known identifier links PR → issue", () => {
    const p = structuredClone(linearFixtures.attachment_create!.payload);
    p.data.issue = { id: ISSUE_ID, identifier: "ENG-42", team: { key: "ENG" } };
    const f = facts(linear(p));
    expect(f.links).toEqual([link(PR7, "linear:issue:ENG-42", "linear-attachment")]);
  });

  it("an attachment knowing only the issue id mentions it, shared-scoped by the id", () => {
    const f = facts(linear(linearFixtures.attachment_create!.payload));
    expect(f.links).toEqual([]);
    expect(f.mentions).toEqual([mention(PR7, "linear_issue_id", ISSUE_ID, "linear-attachment")]);
    expect(f.sharedScopes).toEqual([`lid:${ISSUE_ID}`]);
  });

  it("a removed attachment links nothing", () => {
    const p = structuredClone(linearFixtures.attachment_create!.payload);
    p.action = "remove";
    const f = facts(linear(p));
    expect(f.links).toEqual([]);
    expect(f.mentions).toEqual([]);
  });
});

describe("every key is an entity of its kind", () => {
  it("adds an entity per key", () => {
    const e = github("pull_request", pullRequest());
    const f = facts(e);
    for (const key of e.keys) expect(f.entities.map((x) => x.key)).toContain(key);
    expect(f.entities).toContainEqual({ key: "github:repo:acme/web", kind: "github.repo" });
  });
});

describe("switched-off rules", () => {
  it("a disabled rule makes no links; the others still do", () => {
    const p = pullRequest(
      { state: "closed", merged: true, merged_at: "2025-01-02T10:00:00Z", merge_commit_sha: MERGE },
      "closed",
    );
    const f = facts(github("pull_request", p), (rule) => rule !== "pr-head-commit");
    expect(f.links).toEqual([link(PR7, commitKey(MERGE), "pr-merge-commit")]);
  });

  it("a disabled mention rule drops the mention and the scope it would take", () => {
    const f = facts(slack(slackFixtures.message!), (rule) => rule !== "slack-identifier");
    expect(f.mentions).toEqual([]);
    expect(f.sharedScopes).toEqual([]);
    expect(f.links.map((l) => l.rule)).toEqual(["slack-url"]);
  });

  it("disabling deploy-sha drops the link only", () => {
    const f = facts(
      deploy({ id: "d-2", repository: "acme/web", environment: "prod", status: "succeeded", sha: HEAD }),
      (rule) => rule !== "deploy-sha",
    );
    expect(f.links).toEqual([]);
    expect(f.deploy?.sha).toBe(HEAD);
  });
});
