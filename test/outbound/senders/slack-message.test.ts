import { describe, expect, it } from "vitest";
import type { DeployRef, EntityRef, MilestoneData } from "../../../src/shared/outbound.js";
import { escapeSlack, isFailedDeploy, safeUrl, slackMessage } from "../../../src/outbound/senders/slack-message.js";
import { keyLabel } from "../../../src/shared/keys.js";

const deploy: DeployRef = {
  key: "deploy:generic:d-123",
  repository: "acme/web",
  service: "acme/web",
  environment: "production-eu",
  sha: "abcdef0123456789abcdef0123456789abcdef01",
  status: "succeeded",
  url: "https://ci.example.com/deploys/d-123",
  at: "2026-11-02T12:00:00.000Z",
};
const issue: EntityRef = {
  key: "linear:issue:ENG-42",
  title: "Checkout times out",
  url: "https://linear.app/acme/issue/ENG-42",
};
const pr7: EntityRef = {
  key: "github:pr:acme/web#7",
  title: "Retry checkout",
  url: "https://github.com/acme/web/pull/7",
};
const pr8: EntityRef = { key: "github:pr:acme/web#8", title: 'Revert "Retry checkout"', url: null };

const msg = (type: string, data: unknown) => slackMessage({ type, timestamp: "2026-11-02T12:00:00.000Z", data });
/** Every mrkdwn text of the blocks, joined. */
const mrkdwn = (m: ReturnType<typeof slackMessage>) =>
  m.blocks.map((b) => (b.type === "section" ? b.text.text : b.elements.map((e) => e.text).join(" "))).join("\n");

describe("keyLabel", () => {
  it("shortens entity keys", () => {
    expect(keyLabel("linear:issue:ENG-42")).toBe("ENG-42");
    expect(keyLabel("github:pr:acme/web#7", "acme/web")).toBe("PR #7");
    expect(keyLabel("github:pr:acme/web#7", "acme/api")).toBe("acme/web#7");
    expect(keyLabel("github:pr:acme/web#7")).toBe("acme/web#7");
    expect(keyLabel("github:issue:acme/web#3", "Acme/Web")).toBe("issue #3");
    expect(keyLabel(`github:commit:acme/web@${deploy.sha}`, "acme/web")).toBe("abcdef0");
    expect(keyLabel("deploy:generic:d-123")).toBe("d-123");
    expect(keyLabel("deploy:github:98765")).toBe("98765");
    expect(keyLabel("github:repo:acme/web")).toBe("acme/web");
    expect(keyLabel("something:else")).toBe("something:else");
  });
});

describe("escaping and links", () => {
  it("escapes Slack's control characters", () => {
    expect(escapeSlack("a & <b> c")).toBe("a &amp; &lt;b&gt; c");
  });

  it("links http(s) only, with the link syntax's characters encoded", () => {
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl(null)).toBeNull();
    expect(safeUrl("https://x.example/a|b>c d")).toBe("https://x.example/a%7Cb%3Ec%20d");
  });

  it("escapes titles in labels and text", () => {
    const m = msg("issue.shipped", {
      deploy,
      environment: "production-eu",
      repository: "acme/web",
      issue: { ...issue, title: "Fix <script> & co" },
      pullRequests: [],
    } satisfies MilestoneData["issue.shipped"]);
    expect(m.text).toContain("ENG-42 Fix &lt;script&gt; &amp; co");
    expect(mrkdwn(m)).toContain("<https://linear.app/acme/issue/ENG-42|ENG-42 Fix &lt;script&gt; &amp; co>");
    expect(mrkdwn(m)).not.toContain("<script>");
  });
});

describe("slackMessage", () => {
  it("issue.shipped: the issue, environment, deploy and PRs, linked", () => {
    const m = msg("issue.shipped", {
      deploy,
      environment: "production-eu",
      repository: "acme/web",
      issue,
      pullRequests: [pr7],
    } satisfies MilestoneData["issue.shipped"]);
    expect(m.text).toBe("ENG-42 Checkout times out shipped to production-eu by deploy d-123 · PR #7");
    const text = mrkdwn(m);
    expect(text).toContain("*<https://linear.app/acme/issue/ENG-42|ENG-42 Checkout times out>*");
    expect(text).toContain("*production-eu*");
    expect(text).toContain("<https://ci.example.com/deploys/d-123|d-123>");
    expect(text).toContain("<https://github.com/acme/web/pull/7|PR #7>");
    expect(text).toContain("acme/web · abcdef0");
  });

  it("pr.shipped", () => {
    const m = msg("pr.shipped", {
      deploy,
      environment: "staging",
      repository: "acme/web",
      pullRequest: pr7,
      pullRequests: [pr7],
    } satisfies MilestoneData["pr.shipped"]);
    expect(m.text).toBe("PR #7 Retry checkout shipped to staging by deploy d-123");
    expect(mrkdwn(m)).toContain("<https://github.com/acme/web/pull/7|PR #7 Retry checkout>");
  });

  it("deploy.changes: counts, the first PRs and issues, and more", () => {
    const prs = Array.from({ length: 7 }, (_, i) => ({
      key: `github:pr:acme/web#${i + 1}`,
      title: `PR ${i + 1}`,
      url: null,
    }));
    const m = msg("deploy.changes", {
      deploy,
      environment: "production-eu",
      repository: "acme/web",
      rangeKnown: true,
      previous: "deploy:generic:d-122",
      commits: [{ key: `github:commit:acme/web@${deploy.sha}`, title: null, url: null }],
      pullRequests: prs,
      issues: [issue],
    } satisfies MilestoneData["deploy.changes"]);
    expect(m.text).toBe("Deploy d-123 to production-eu: 1 commit, 7 PRs, 1 issue");
    const text = mrkdwn(m);
    expect(text).toContain("• PR #5 PR 5");
    expect(text).not.toContain("PR #6 PR 6");
    expect(text).toContain("… and 2 more");
    expect(text).toContain("• <https://linear.app/acme/issue/ENG-42|ENG-42 Checkout times out>");
    expect(text).toContain("since d-122");
  });

  it("deploy.changes of a first deploy: range unknown", () => {
    const m = msg("deploy.changes", {
      deploy,
      environment: "production-eu",
      repository: "acme/web",
      rangeKnown: false,
      previous: null,
      commits: [],
      pullRequests: [],
      issues: [],
    } satisfies MilestoneData["deploy.changes"]);
    expect(m.text).toBe("Deploy d-123 to production-eu: range unknown (first deploy)");
  });

  it("pr.reverted and deploy.rolled_back", () => {
    const reverted = msg("pr.reverted", {
      pullRequest: pr7,
      revertedBy: pr8,
      repository: "acme/web",
      rule: "revert-title",
    } satisfies MilestoneData["pr.reverted"]);
    expect(reverted.text).toBe('PR #7 Retry checkout was reverted by PR #8 Revert "Retry checkout"');
    expect(mrkdwn(reverted)).toContain("<https://github.com/acme/web/pull/7|PR #7 Retry checkout>");

    const rolledBack = msg("deploy.rolled_back", {
      deploy: { ...deploy, key: "deploy:generic:d-125", url: null },
      rolledBack: "deploy:generic:d-124",
      environment: "production-eu",
      repository: "acme/web",
    } satisfies MilestoneData["deploy.rolled_back"]);
    expect(rolledBack.text).toBe("Deploy d-125 rolled back d-124 in production-eu");
  });

  it("incident.linked names the incident, its likely cause and the first reasons", () => {
    const m = msg("incident.linked", {
      incident: {
        key: "incident:pagerduty:PGR0VU2",
        title: "Checkout answers 500",
        url: "https://acme.pagerduty.com/incidents/PGR0VU2",
        source: "pagerduty",
        status: "triggered",
        service: "web",
        environment: null,
        repository: null,
        openedAt: "2026-11-02T12:00:00.000Z",
        resolvedAt: null,
      },
      deploy,
      confidence: 0.85,
      rule: "incident-suspect",
      reasons: ["deployed web to production-eu before the incident, shipping 2 changes", "the incident names PR #7"],
      suspects: [{ deploy: deploy.key, confidence: 0.85 }],
    } satisfies MilestoneData["incident.linked"]);
    expect(m.text).toBe(
      "incident pagerduty:PGR0VU2: Checkout answers 500 was likely caused by deploy d-123 to production-eu " +
        "(confidence 0.85)",
    );
    expect(mrkdwn(m)).toContain(":rotating_light:");
    expect(mrkdwn(m)).toContain("<https://acme.pagerduty.com/incidents/PGR0VU2|");
    expect(mrkdwn(m)).toContain("the incident names PR #7");
  });

  it("failed deploys: deploy.failed and a failed GitHub deployment status", () => {
    const event = {
      id: "0190",
      platform: "deploy",
      type: "deploy.failed",
      subject: "deploy:generic:d-9",
      keys: ["github:repo:acme/web", "deploy:generic:d-9", `github:commit:acme/web@${deploy.sha}`],
      priority: "critical",
      actor: null,
    };
    const m = msg("deploy.failed", event);
    expect(m.text).toBe("Deploy d-9 failed");
    expect(mrkdwn(m)).toContain(":x:");
    expect(mrkdwn(m)).toContain("acme/web · abcdef0");

    const gh = { ...event, platform: "github", type: "github.deployment_status.created", subject: "deploy:github:77" };
    expect(msg(gh.type, gh).text).toBe("Deploy 77 failed");
    expect(isFailedDeploy(gh.type, { ...gh, priority: "high" })).toBe(false);
    expect(isFailedDeploy(gh.type, { ...gh, state: "error" })).toBe(true);
    expect(msg(gh.type, { ...gh, priority: "high" }).text).toBe("github.deployment_status.created · 77");
  });

  it("anything else: type and subject", () => {
    const m = msg("github.pull_request.opened", {
      type: "github.pull_request.opened",
      subject: "github:pr:acme/web#7",
      actor: "alice",
    });
    expect(m.text).toBe("github.pull_request.opened · acme/web#7");
    expect(mrkdwn(m)).toContain("by alice");
    expect(msg("switchyard.test", null).text).toBe("switchyard.test");
    // A milestone type whose data is not the expected shape still gets a message.
    expect(msg("issue.shipped", { issue }).text).toBe("issue.shipped");
  });

  it("link.created", () => {
    const m = msg("link.created", {
      link: {
        from: "github:pr:acme/web#7",
        to: "linear:issue:ENG-42",
        relation: "closes",
        rule: "closing-keyword",
        confidence: 1,
      },
    } satisfies MilestoneData["link.created"]);
    expect(m.text).toBe("acme/web#7 closes ENG-42");
  });
});
