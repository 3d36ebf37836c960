// The facts each platform's events give correlation, continued (facts.test.ts has GitHub's): deploys,
// Slack, Linear, entities and switched-off rules.
import { describe, expect, it } from "vitest";
import {
  slackFixtures,
  linearFixtures,
  HEAD,
  MERGE,
  REPO,
  PR7,
  ISSUE_ID,
  commitKey,
  github,
  linear,
  slack,
  deploy,
  facts,
  link,
  mention,
  pullRequest,
} from "./facts-helpers.js";

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
