import { describe, expect, it } from "vitest";
import { buildDigest, type DigestData } from "../../../src/outbound/digest/summary.js";
import { compileFilter } from "../../../src/outbound/match.js";
import { digestMessage, isDigest } from "../../../src/outbound/senders/slack-digest.js";
import type { DeployRef, EntityRef, OutboxItem } from "../../../src/shared/outbound.js";

const period = {
  period: "hourly" as const,
  start: new Date("2026-12-07T10:00:00Z"),
  end: new Date("2026-12-07T11:00:00Z"),
};
const REPO = "acme/web";
let n = 0;

const pr = (i: number): EntityRef => ({
  key: `github:pr:${REPO}#${i}`,
  title: `PR ${i}`,
  url: `https://github.com/${REPO}/pull/${i}`,
});
const issue: EntityRef = { key: "linear:issue:ENG-42", title: "Checkout", url: "https://linear.app/acme/issue/ENG-42" };
const deploy = (id: string, environment: string): DeployRef => ({
  key: `deploy:${REPO}:${id}`,
  repository: REPO,
  service: REPO,
  environment,
  sha: "abc1234def",
  status: "succeeded",
  url: `https://ci.example.com/${id}`,
  at: "2026-12-07T10:10:00Z",
});

function item(kind: OutboxItem["kind"], type: string, data: unknown, extra: Partial<OutboxItem> = {}): OutboxItem {
  n++;
  return {
    position: String(n),
    id: `00000000-0000-7000-8000-${String(n).padStart(12, "0")}`,
    kind,
    type,
    platform: null,
    repository: REPO,
    // As the outbox stores them: a milestone's environment is its data's.
    environment: (data as { environment?: string }).environment ?? null,
    subject: null,
    data,
    createdAt: "2026-12-07T10:10:00Z",
    ...extra,
  };
}

const stg = deploy("stg-1", "staging");
const prod = deploy("prod-1", "production");
const items: OutboxItem[] = [
  item("milestone", "deploy.changes", {
    deploy: stg,
    environment: "staging",
    repository: REPO,
    rangeKnown: true,
    previous: null,
    commits: [],
    pullRequests: [pr(7)],
    issues: [issue],
  }),
  item("milestone", "pr.shipped", {
    deploy: stg,
    environment: "staging",
    repository: REPO,
    pullRequest: pr(7),
    pullRequests: [pr(7)],
  }),
  item("milestone", "issue.shipped", {
    deploy: prod,
    environment: "production",
    repository: REPO,
    issue,
    pullRequests: [pr(7)],
  }),
  item(
    "event",
    "deploy.failed",
    { priority: "critical" },
    { environment: "production", subject: `deploy:${REPO}:prod-2` },
  ),
  // A second status of the same failed deploy: one failure.
  item(
    "event",
    "deploy.failed",
    { priority: "critical" },
    { environment: "production", subject: `deploy:${REPO}:prod-2` },
  ),
  item("milestone", "deploy.rolled_back", {
    deploy: prod,
    rolledBack: `deploy:${REPO}:prod-0`,
    environment: "production",
    repository: REPO,
  }),
  item("milestone", "pr.reverted", { pullRequest: pr(7), revertedBy: pr(8), repository: REPO, rule: "revert" }),
  ...[0.4, 0.9].map((confidence) =>
    item("milestone", "incident.linked", {
      incident: {
        key: "pagerduty:incident:P1",
        title: "Checkout down",
        url: "https://pd.example.com/P1",
        status: "triggered",
        source: "pagerduty",
        service: null,
        environment: "production",
        repository: REPO,
        openedAt: "2026-12-07T10:20:00Z",
        resolvedAt: null,
      },
      deploy: confidence > 0.5 ? prod : stg,
      confidence,
      rule: "suspects",
      reasons: [],
      suspects: [],
    }),
  ),
];

describe("digest summary", () => {
  it("groups what shipped by environment and repository, with failures, rollbacks, reverts and incidents", () => {
    const d = buildDigest(period, items, compileFilter([]))!;
    expect(d).toMatchObject({ period: "hourly", from: "2026-12-07T10:00:00.000Z", to: "2026-12-07T11:00:00.000Z" });
    expect(d.shipped).toEqual([
      { environment: "production", repository: REPO, deploys: [], pullRequests: [], issues: [issue] },
      {
        environment: "staging",
        repository: REPO,
        deploys: [{ key: stg.key, url: stg.url }],
        pullRequests: [pr(7)],
        issues: [issue],
      },
    ]);
    expect(d.failures).toEqual([
      { deploy: `deploy:${REPO}:prod-2`, environment: "production", repository: REPO, type: "deploy.failed" },
    ]);
    expect(d.rollbacks).toHaveLength(1);
    expect(d.reverts).toEqual([{ pullRequest: pr(7), revertedBy: pr(8), repository: REPO }]);
    // Told twice, the better suspect last: listed once, with it.
    expect(d.incidents).toEqual([
      {
        incident: {
          key: "pagerduty:incident:P1",
          title: "Checkout down",
          url: "https://pd.example.com/P1",
          status: "triggered",
        },
        deploy: { key: prod.key, url: prod.url },
        environment: "production",
        confidence: 0.9,
      },
    ]);
  });

  it("takes only what the subscription's types and where match", () => {
    const d = buildDigest(period, items, compileFilter(["issue.shipped"], { environment: "prod*" }))!;
    expect(d.shipped).toEqual([
      { environment: "production", repository: REPO, deploys: [], pullRequests: [], issues: [issue] },
    ]);
    expect([d.failures, d.rollbacks, d.reverts, d.incidents]).toEqual([[], [], [], []]);
  });

  it("is null when nothing matched: an empty period posts nothing", () => {
    expect(buildDigest(period, [], compileFilter([]))).toBeNull();
    expect(buildDigest(period, items, compileFilter(["pr.*"], { repository: "acme/other" }))).toBeNull();
  });
});

describe("digest Slack message", () => {
  const data = buildDigest(period, items, compileFilter([]))! as DigestData;
  const body = { type: "digest.hourly", timestamp: "2026-12-07T11:01:00Z", data };

  it("counts everything in the notification text and lists it with links", () => {
    expect(isDigest(body)).toBe(true);
    expect(isDigest({ type: "digest.hourly", timestamp: "", data: {} })).toBe(false);
    const m = digestMessage(body);
    expect(m.text).toBe(
      "Hourly digest, 10:00–11:00 UTC, 7 Dec 2026: shipped to 2 places (1 deploy), 1 failed deploy, 1 rollback, 1 revert, 1 incident",
    );
    const text = m.blocks.map((b) => ("text" in b ? b.text.text : b.elements.map((e) => e.text).join())).join("\n");
    expect(text).toContain(":rocket: *Shipped*");
    expect(text).toContain(`• *staging* · ${REPO}: deploy <https://ci.example.com/stg-1|`);
    expect(text).toContain("<https://github.com/acme/web/pull/7|PR #7>");
    expect(text).toContain("<https://linear.app/acme/issue/ENG-42|ENG-42>");
    expect(text).toContain(":x: *Failed deploys*");
    expect(text).toContain("in *production*");
    expect(text).toContain("<https://pd.example.com/P1|");
    expect(text).toContain("(confidence 0.90)");
  });

  it("says a day for a daily digest, and escapes Slack's control characters", () => {
    const daily = {
      ...data,
      period: "daily" as const,
      from: "2026-12-07T00:00:00.000Z",
      to: "2026-12-08T00:00:00.000Z",
      shipped: [{ ...data.shipped[0]!, environment: "<prod>" }],
    };
    const m = digestMessage({ type: "digest.daily", timestamp: "", data: daily });
    expect(m.text.startsWith("Daily digest, 7 Dec 2026 (UTC): ")).toBe(true);
    expect(JSON.stringify(m.blocks)).toContain("*&lt;prod&gt;*");
  });

  it("keeps each section within Slack's limits", () => {
    const many = {
      ...data,
      failures: Array.from({ length: 30 }, (_, i) => ({ ...data.failures[0]!, deploy: `deploy:x:${i}` })),
    };
    const section = digestMessage({ type: "digest.hourly", timestamp: "", data: many }).blocks.find(
      (b) => "text" in b && b.text.text.startsWith(":x:"),
    )!;
    expect("text" in section && section.text.text).toContain("… and 20 more");
  });
});
