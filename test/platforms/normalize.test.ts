import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { normalizeDeploy } from "../../src/platforms/deploy/normalize.js";
import { githubType } from "../../src/platforms/github/classify.js";
import { normalizeGithub } from "../../src/platforms/github/normalize.js";
import { linearType } from "../../src/platforms/linear/classify.js";
import { normalizeLinear } from "../../src/platforms/linear/normalize.js";
import { slackType } from "../../src/platforms/slack/classify.js";
import { normalizeSlack } from "../../src/platforms/slack/normalize.js";
import { parseSlackBody } from "../../src/platforms/slack/payload.js";
import { slackBody } from "../../kit/sign.js";
import type { Delivery, NormalizedEvent, Platform } from "../../src/shared/event.js";
import { loadFixtures } from "../helpers/fixtures.js";

type Obj = Record<string, any>;
interface Definition {
  name: string;
  actions: string[];
  examples: Obj[];
}

const require = createRequire(import.meta.url);
const definitions = require("@octokit/webhooks-examples/api.github.com/index.json") as Definition[];
const slackFixtures = loadFixtures("slack");
const linearFixtures = loadFixtures("linear");

const RECEIVED_AT = "2025-01-01T00:00:00.000Z";
const ZERO_SHA = "0".repeat(40);

function delivery(platform: Platform, type: string, body: string, contentType: string | null, headers = {}): Delivery {
  return {
    id: "0190e3a0-0000-7000-8000-000000000000",
    platform,
    deliveryId: "delivery-1",
    receivedAt: RECEIVED_AT,
    contentType,
    headers: { "content-type": contentType ?? "", ...headers },
    body,
    type,
    priority: "normal",
  };
}

function githubDelivery(event: string, payload: Obj, contentType = "application/json"): Delivery {
  const json = JSON.stringify(payload);
  const body = contentType === "application/json" ? json : new URLSearchParams({ payload: json }).toString();
  return delivery("github", githubType(event, payload), body, contentType, { "x-github-event": event });
}

function slackDelivery(fixture: { kind: string; payload: Obj }): Delivery {
  const { body, contentType } = slackBody(fixture);
  const parsed = parseSlackBody(contentType, body);
  const type = parsed.kind === "url_verification" ? "slack.url_verification" : slackType(parsed);
  return delivery("slack", type, body, contentType);
}

const linearDelivery = (payload: Obj) =>
  delivery("linear", linearType(payload), JSON.stringify(payload), "application/json");

// contract §4, one regex per key kind. GitHub owner/repo lower-case, Linear identifiers upper-case, SHAs full 40-hex.
const REPO = String.raw`[a-z0-9_.-]+/[a-z0-9_.-]+`;
const KEY_SHAPES: Record<string, RegExp> = {
  "github.repo": new RegExp(`^github:repo:${REPO}$`),
  "github.pr": new RegExp(`^github:pr:${REPO}#[1-9]\\d*$`),
  "github.issue": new RegExp(`^github:issue:${REPO}#[1-9]\\d*$`),
  "github.commit": new RegExp(`^github:commit:${REPO}@(?!0{40})[0-9a-f]{40}$`),
  "linear.issue": /^linear:issue:[A-Z0-9_]{1,7}-[1-9]\d{0,8}$/,
  // Other Linear entities (projects, cycles, comments without an issue, …) by UUID (keys.ts linearEntityKey).
  "linear.entity": /^linear:(?!issue:)[a-z_]+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  "slack.message": /^slack:message:[A-Z0-9]+\/\d+\.\d+$/,
  "deploy.github": /^deploy:github:\d+$/,
  "deploy.generic": /^deploy:generic:\S+$/,
};
const shapeOf = (key: string) => Object.keys(KEY_SHAPES).filter((k) => KEY_SHAPES[k]!.test(key));

/** contract §3/§4 invariants every normalized event keeps, whatever its platform. */
function expectInvariants(e: NormalizedEvent, d: Delivery) {
  expect(e.type).toBe(d.type);
  if (e.subject !== null) expect(e.keys).toContain(e.subject);
  for (const key of e.keys) expect(shapeOf(key), `key ${key}`).toHaveLength(1);
  expect(new Set(e.keys).size).toBe(e.keys.length);
  expect(e.occurredAt).toBeInstanceOf(Date);
  expect(Number.isNaN(e.occurredAt.getTime())).toBe(false);
}

const isSha = (s: unknown): s is string => typeof s === "string" && /^[0-9a-f]{40}$/i.test(s) && s !== ZERO_SHA;
const commit = (repo: string, sha: string) => `github:commit:${repo.toLowerCase()}@${sha.toLowerCase()}`;
const PR_EVENTS = ["pull_request", "pull_request_review", "pull_request_review_comment", "pull_request_review_thread"];

const githubCases = definitions.flatMap((def) =>
  def.examples.map((payload, i) => ({ label: `${def.name}[${i}] ${payload.action ?? ""}`, event: def.name, payload })),
);

describe("GitHub normalizer over @octokit/webhooks-examples", () => {
  it("loads every example", () => {
    expect(definitions.length).toBe(58);
    expect(githubCases.length).toBeGreaterThan(300);
  });

  it.each(githubCases)("$label", ({ event, payload }) => {
    const d = githubDelivery(event, payload);
    const e = normalizeGithub(d);
    expectInvariants(e, d);
    const repo: string | null = payload.repository?.full_name ?? null;

    // GitHub → rows.github named after the event; deployments with a repository → a deploy row too.
    expect(e.rows.github?.name).toBe(event);
    expect(e.rows.github?.repository).toBe(repo?.toLowerCase() ?? null);
    expect(e.rows.slack).toBeUndefined();
    expect(e.rows.linear).toBeUndefined();
    const isDeploy = (event === "deployment" || event === "deployment_status") && repo !== null;
    expect(e.rows.deployment !== undefined).toBe(isDeploy);
    if (repo) expect(e.keys).toContain(`github:repo:${repo.toLowerCase()}`);

    if (isDeploy) {
      expect(e.subject).toBe(`deploy:github:${payload.deployment.id}`);
      expect(e.rows.deployment).toMatchObject({ source: "github", deployId: String(payload.deployment.id) });
      expect(e.rows.deployment?.repository).toBe(repo!.toLowerCase());
      if (isSha(payload.deployment.sha)) expect(e.keys).toContain(commit(repo!, payload.deployment.sha));
    }

    if (PR_EVENTS.includes(event) && repo) {
      const pr = payload.pull_request;
      expect(e.subject).toBe(`github:pr:${repo.toLowerCase()}#${pr.number}`);
      if (isSha(pr.head?.sha)) expect(e.keys).toContain(commit(repo, pr.head.sha));
      const merged = pr.merged === true || Boolean(pr.merged_at);
      if (isSha(pr.merge_commit_sha)) {
        const mergeKey = commit(repo, pr.merge_commit_sha);
        // An unmerged PR's merge_commit_sha is GitHub's test merge: never a key, unless it is
        // also the head or the reviewed commit, which are keys in their own right.
        const otherwise = [pr.head?.sha, payload.review?.commit_id].some(
          (s) => isSha(s) && commit(repo, s) === mergeKey,
        );
        expect(e.keys.includes(mergeKey)).toBe(merged || otherwise);
      }
    }

    if (event === "push" && repo) {
      const after = isSha(payload.after) ? commit(repo, payload.after) : null;
      expect(e.subject).toBe(after ?? `github:repo:${repo.toLowerCase()}`);
      for (const c of payload.commits) expect(e.keys).toContain(commit(repo, c.id));
      if (isSha(payload.before)) expect(e.keys).toContain(commit(repo, payload.before));
    }

    if (event === "issues" && repo)
      expect(e.subject).toBe(`github:issue:${repo.toLowerCase()}#${payload.issue.number}`);
  });
});

const example = (event: string, pick: (p: Obj) => boolean = () => true): Obj => {
  const found = definitions.find((d) => d.name === event)?.examples.find(pick);
  if (!found) throw new Error(`no ${event} example`);
  return structuredClone(found);
};

describe("GitHub exact cases", () => {
  const SHA_A = "a".repeat(40);
  const SHA_B = "b".repeat(40);

  it("a push is about its `after` commit and references before and every commit", () => {
    const p = example("push", (x) => x.ref === "refs/heads/master" && x.commits.length > 0);
    p.before = SHA_A;
    const e = normalizeGithub(githubDelivery("push", p));
    const repo = "codertocat/hello-world";
    expect(e.type).toBe("github.push");
    expect(e.subject).toBe(`github:commit:${repo}@${p.after}`);
    expect(e.keys).toEqual(
      expect.arrayContaining([
        `github:repo:${repo}`,
        `github:commit:${repo}@${SHA_A}`,
        `github:commit:${repo}@${p.after}`,
      ]),
    );
    expect(e.rows.github).toMatchObject({ ref: "refs/heads/master", sha: p.after });
    expect(e.occurredAt.toISOString()).toBe(new Date(p.head_commit.timestamp).toISOString());
  });

  it("a branch deletion (after = zeros) keys no zero commit", () => {
    const p = example("push", (x) => x.deleted === true);
    const e = normalizeGithub(githubDelivery("push", p));
    expect(e.keys.some((k) => k.includes(ZERO_SHA))).toBe(false);
  });

  it("an issue_comment on a PR is about the PR, on an issue about the issue", () => {
    const onIssue = example("issue_comment");
    const onPr = structuredClone(onIssue);
    onPr.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
    const n = onIssue.issue.number;
    expect(normalizeGithub(githubDelivery("issue_comment", onPr)).subject).toBe(
      `github:pr:codertocat/hello-world#${n}`,
    );
    expect(normalizeGithub(githubDelivery("issue_comment", onIssue)).subject).toBe(
      `github:issue:codertocat/hello-world#${n}`,
    );
  });

  it("a merged PR references its merge commit; the row carries the merge SHA", () => {
    const p = example("pull_request", (x) => x.action === "closed");
    Object.assign(p.pull_request, { merged: true, merged_at: "2025-01-02T03:04:05Z", merge_commit_sha: SHA_B });
    const e = normalizeGithub(githubDelivery("pull_request", p));
    expect(e.keys).toContain(`github:commit:codertocat/hello-world@${SHA_B}`);
    expect(e.rows.github).toMatchObject({ merged: true, sha: SHA_B });
  });

  it("a review of a merged PR (merged_at only, no `merged`) references the merge commit", () => {
    const p = example("pull_request_review");
    delete p.pull_request.merged;
    Object.assign(p.pull_request, { merged_at: "2025-01-02T03:04:05Z", merge_commit_sha: SHA_B });
    const e = normalizeGithub(githubDelivery("pull_request_review", p));
    expect(e.keys).toContain(`github:commit:codertocat/hello-world@${SHA_B}`);
    expect(e.rows.github?.merged).toBe(true);
  });

  it("an unmerged PR never references its test-merge commit", () => {
    const p = example("pull_request", (x) => x.action === "opened");
    Object.assign(p.pull_request, { merged: false, merged_at: null, merge_commit_sha: SHA_B });
    const e = normalizeGithub(githubDelivery("pull_request", p));
    expect(e.keys.some((k) => k.endsWith(SHA_B))).toBe(false);
  });

  it("a deployment_status maps GitHub's state onto the deploy status", () => {
    const p = example("deployment_status", (x) => x.deployment_status.state === "success");
    const e = normalizeGithub(githubDelivery("deployment_status", p));
    expect(e.rows.deployment).toMatchObject({ status: "succeeded", sha: p.deployment.sha, source: "github" });
    expect(e.rows.deployment?.finishedAt).toBeInstanceOf(Date);
    p.deployment_status.state = "failure";
    expect(normalizeGithub(githubDelivery("deployment_status", p)).rows.deployment?.status).toBe("failed");
  });

  it("reads a form-encoded body like a JSON one", () => {
    const p = example("issues");
    const json = normalizeGithub(githubDelivery("issues", p));
    const form = normalizeGithub(githubDelivery("issues", p, "application/x-www-form-urlencoded"));
    expect(form.subject).toBe(json.subject);
    expect(form.keys).toEqual(json.keys);
  });
});

describe("Slack normalizer over fixtures/slack", () => {
  const cases = Object.entries(slackFixtures)
    .filter(([name]) => name !== "url_verification")
    .map(([name, fixture]) => ({ name, fixture }));

  it("has the fixtures", () => expect(cases.length).toBeGreaterThanOrEqual(9));

  it.each(cases)("$name", ({ fixture }) => {
    const d = slackDelivery(fixture);
    const e = normalizeSlack(d);
    expectInvariants(e, d);
    expect(e.rows.slack).toBeDefined();
    expect(e.rows.github ?? e.rows.linear ?? e.rows.deployment).toBeUndefined();
    if (e.subject !== null) expect(shapeOf(e.subject)).toEqual(["slack.message"]);
  });

  it("refuses url_verification, which the receiver answers by design", () => {
    expect(() => normalizeSlack(slackDelivery(slackFixtures.url_verification!))).toThrow();
  });

  it("a thread reply is about itself and references its thread root", () => {
    const ev = slackFixtures.message_thread_reply!.payload.event;
    const e = normalizeSlack(slackDelivery(slackFixtures.message_thread_reply!));
    expect(e.subject).toBe(`slack:message:${ev.channel}/${ev.ts}`);
    expect(e.keys).toContain(`slack:message:${ev.channel}/${ev.thread_ts}`);
  });

  it("a top-level message references the URLs in its text, not itself as a thread", () => {
    const ev = slackFixtures.message!.payload.event;
    const e = normalizeSlack(slackDelivery(slackFixtures.message!));
    expect(e.type).toBe("slack.message");
    expect(e.keys).toEqual([`slack:message:${ev.channel}/${ev.ts}`, "github:pr:acme/web#7"]);
    expect(e.occurredAt.getTime()).toBe(Math.floor(Number(ev.event_ts) * 1000));
  });

  it("link_shared is about the shared message and references every link", () => {
    const ev = slackFixtures.link_shared!.payload.event;
    const e = normalizeSlack(slackDelivery(slackFixtures.link_shared!));
    expect(e.subject).toBe(`slack:message:${ev.channel}/${ev.message_ts}`);
    expect(e.keys).toEqual(expect.arrayContaining(["github:pr:acme/web#7", "linear:issue:ENG-42"]));
  });

  it("a reaction is about the message reacted to", () => {
    const ev = slackFixtures.reaction_added!.payload.event;
    expect(normalizeSlack(slackDelivery(slackFixtures.reaction_added!)).subject).toBe(
      `slack:message:${ev.item.channel}/${ev.item.ts}`,
    );
  });

  it("a slash command has no message to be about", () => {
    const e = normalizeSlack(slackDelivery(slackFixtures.slash_command!));
    expect(e.type).toBe("slack.command");
    expect(e.subject).toBeNull();
    expect(e.rows.slack).toMatchObject({ command: "/deploy", channel: "C0DEPLOY01" });
  });

  it("a block action is about the message holding the button", () => {
    const p = slackFixtures.block_actions!.payload;
    const e = normalizeSlack(slackDelivery(slackFixtures.block_actions!));
    expect(e.type).toBe("slack.block_actions");
    expect(e.subject).toBe(`slack:message:${p.channel.id}/${p.message.ts}`);
    expect(e.rows.slack?.actionIds).toEqual(["deploy_approve"]);
  });
});

describe("Linear normalizer over fixtures/linear", () => {
  const cases = Object.entries(linearFixtures).map(([name, fixture]) => ({ name, fixture }));

  it("has the fixtures", () => expect(cases.length).toBeGreaterThanOrEqual(13));

  it.each(cases)("$name", ({ fixture }) => {
    const d = linearDelivery(fixture.payload);
    const e = normalizeLinear(d);
    expectInvariants(e, d);
    expect(e.rows.linear).toMatchObject({ entityType: fixture.payload.type, action: fixture.payload.action });
    expect(e.rows.github ?? e.rows.slack ?? e.rows.deployment).toBeUndefined();
  });

  it("an issue is keyed by its upper-case identifier, with its team", () => {
    const e = normalizeLinear(linearDelivery(linearFixtures.issue_create!.payload));
    expect(e.type).toBe("linear.issue.create");
    expect(e.subject).toBe("linear:issue:ENG-42");
    expect(e.rows.linear).toMatchObject({ identifier: "ENG-42", teamKey: "ENG", state: "Todo" });
  });

  it("builds an identifier from team key and number, and upper-cases a lower-case one", () => {
    const p = structuredClone(linearFixtures.issue_update!.payload);
    delete p.data.identifier;
    expect(normalizeLinear(linearDelivery(p)).subject).toBe("linear:issue:ENG-42");
    p.data.identifier = "eng-42";
    expect(normalizeLinear(linearDelivery(p)).subject).toBe("linear:issue:ENG-42");
  });

  it("a comment is about its issue and references the URLs in its body", () => {
    const e = normalizeLinear(linearDelivery(linearFixtures.comment_create!.payload));
    expect(e.type).toBe("linear.comment.create");
    expect(e.subject).toBe("linear:issue:ENG-42");
    expect(e.keys).toEqual(["linear:issue:ENG-42", "github:pr:acme/web#7"]);
    expect(e.rows.linear?.teamKey).toBe("ENG");
  });

  it("an attachment references its PR URL", () => {
    const p = linearFixtures.attachment_create!.payload;
    const e = normalizeLinear(linearDelivery(p));
    expect(e.keys).toContain("github:pr:acme/web#7");
    // The fixture carries only issueId: no identifier to make the subject from.
    expect(e.subject).toBe(`linear:attachment:${p.data.id}`);
  });

  it("a project is keyed by its id", () => {
    const p = linearFixtures.project_create!.payload;
    expect(normalizeLinear(linearDelivery(p)).subject).toBe(`linear:project:${p.data.id}`);
  });
});

describe("deploy normalizer", () => {
  const body = {
    id: "d-123",
    repository: "Acme/Web",
    environment: "production",
    status: "succeeded",
    sha: "ABCDEF0123456789ABCDEF0123456789ABCDEF01",
    started_at: "2025-01-01T10:00:00Z",
    finished_at: "2025-01-01T10:05:00Z",
    service: "web",
  };

  it("a generic deploy is about itself and references its repository and commit", () => {
    const d = delivery("deploy", "deploy.succeeded", JSON.stringify(body), "application/json");
    const e = normalizeDeploy(d);
    expectInvariants(e, d);
    expect(e.subject).toBe("deploy:generic:d-123");
    expect(e.keys).toEqual(
      expect.arrayContaining([
        "github:repo:acme/web",
        "github:commit:acme/web@abcdef0123456789abcdef0123456789abcdef01",
      ]),
    );
    expect(e.occurredAt.toISOString()).toBe("2025-01-01T10:05:00.000Z");
    expect(e.rows.deployment).toMatchObject({ source: "generic", repository: "acme/web", status: "succeeded" });
    expect(e.rows.github).toBeUndefined();
  });

  it("falls back to started_at, then to the receive time", () => {
    const { finished_at: _f, ...started } = body;
    const d1 = delivery(
      "deploy",
      "deploy.started",
      JSON.stringify({ ...started, status: "started" }),
      "application/json",
    );
    expect(normalizeDeploy(d1).occurredAt.toISOString()).toBe("2025-01-01T10:00:00.000Z");
    const { started_at: _s, ...bare } = started;
    const d2 = delivery("deploy", "deploy.queued", JSON.stringify({ ...bare, status: "queued" }), "application/json");
    expect(normalizeDeploy(d2).occurredAt.toISOString()).toBe(RECEIVED_AT);
  });
});
