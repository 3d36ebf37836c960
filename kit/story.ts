import { randomUUID } from "node:crypto";
import { deployRequest, githubRequest, linearRequest, slackRequest, type SignedRequest } from "./sign.js";
import {
  deployStatus,
  githubPush,
  linearWebhook,
  pullRequest,
  pullRequestMerged,
  slackMessage,
  type Commit,
} from "./payloads.js";

/**
 * The multi-platform story of issue #3, parametrised by a namespace so several copies can live in
 * one database: a Linear issue, a PR that fixes it, review, squash merge, push, deploys to staging
 * and two production environments, a Slack thread, a revert PR, a failed deploy and a rollback.
 * The tests, the console's browser test and `npm run demo` send it; the pipeline benchmark repeats
 * its cycle with the same payloads (kit/payloads.ts).
 */
export interface Step {
  name: string;
  platform: "github" | "slack" | "linear" | "deploy";
  request: () => Promise<SignedRequest> | SignedRequest;
}

/** One secret per sender: what the receiving service verifies with. */
export interface StorySecrets {
  github: string;
  slack: string;
  linear: string;
  deploy: string;
}

export interface StoryOptions {
  secrets: StorySecrets;
  /** Distinguishes delivery ids, so a story sent again is not taken for a redelivery (default: `ns`). */
  run?: string;
}

const HOUR = 3_600_000;
export const T0 = Date.parse("2026-11-02T09:00:00Z");
export const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
const sha = (seed: string, ns: string) =>
  (seed + ns)
    .padEnd(40, "0")
    .slice(0, 40)
    .replace(/[^0-9a-f]/g, "a");

export function story(ns: string, { secrets, run = ns }: StoryOptions) {
  const repo = `acme/web-${ns}`;
  const team = `E${ns}`.toUpperCase().slice(0, 7);
  const issue = `${team}-42`;
  const channel = `C${ns.toUpperCase()}`;
  const c = {
    B_1: sha("b1", ns),
    B0: sha("b0", ns),
    C1: sha("c1", ns),
    H1: sha("d1", ns),
    M1: sha("e1", ns),
    H8: sha("f8", ns),
    R1: sha("a8", ns),
  };
  const issueId = randomUUID();
  const deploy = (id: string) => `dep-${ns}-${id}`;
  const ciUrl = (id: string) => `https://ci.example.com/deploys/${deploy(id)}`;
  const repository = { full_name: repo, default_branch: "main" };
  const pr7 = pullRequest({
    repo,
    number: 7,
    title: "Retry checkout on slow networks",
    body: `Fixes ${issue}\n\nRetries the payment call twice.`,
    branch: `alice/${team.toLowerCase()}-42-checkout-timeouts`,
    sha: c.H1,
    at: at(1),
  });
  const pr7merged = pullRequestMerged(pr7, c.M1, at(4));
  const pr8 = pullRequestMerged(
    pullRequest({
      repo,
      number: 8,
      title: `Revert "${pr7.title}"`,
      body: `Reverts ${repo}#7`,
      branch: `revert-7-${pr7.head.ref}`,
      sha: c.H8,
      at: at(9),
    }),
    c.R1,
    at(9.5),
  );
  let ghDelivery = 0;
  const gh = (event: string, payload: object) =>
    githubRequest(
      event,
      { ...payload, repository, sender: { login: "alice" } },
      secrets.github,
      `gh-${run}-${event}-${++ghDelivery}`,
    );
  const dep = (id: string, environment: string, status: string, shaOf: string, hours: number) =>
    deployRequest(
      deployStatus({
        id: deploy(id),
        repository: repo,
        environment,
        status,
        sha: shaOf,
        url: ciUrl(id),
        startedAt: at(hours - 0.1),
        finishedAt: at(hours),
      }),
      secrets.deploy,
      `msg-${run}-${id}-${status}`,
    );
  const slack = (eventId: string, ts: string, text: string, threadTs?: string) =>
    slackRequest(
      JSON.stringify(
        slackMessage({
          teamId: "T0ACME0001",
          appId: "A0ACMEAPP1",
          eventId: `Ev${run}${eventId}`,
          eventTime: 1762077600,
          channel,
          user: "U0ALICE001",
          text,
          ts,
          threadTs,
        }),
      ),
      "application/json",
      secrets.slack,
    );
  const linear = (type: string, action: string, data: Record<string, unknown>, id: string) =>
    linearRequest(
      linearWebhook({
        action,
        type,
        data,
        url: `https://linear.app/acme/issue/${issue}`,
        createdAt: at(0),
        actor: "Alice",
      }),
      secrets.linear,
      `lin-${run}-${id}`,
    );
  const commit = ([id, message, hours]: [string, string, number]): Commit => ({
    id,
    message,
    timestamp: at(hours),
    url: `https://github.com/${repo}/commit/${id}`,
  });
  const push = (ref: string, before: string, commits: Array<[string, string, number]>) =>
    gh("push", githubPush({ ref, before, commits: commits.map(commit) }));

  const steps: Step[] = [
    {
      name: "main baseline push",
      platform: "github",
      request: () => push("refs/heads/main", c.B_1, [[c.B0, "Initial checkout flow", -48]]),
    },
    {
      name: "production-us baseline deploy",
      platform: "deploy",
      request: () => dep("us-0", "production-us", "succeeded", c.B0, -24),
    },
    {
      name: "production-eu baseline deploy",
      platform: "deploy",
      request: () => dep("eu-0", "production-eu", "succeeded", c.B0, -23),
    },
    {
      name: "linear issue created",
      platform: "linear",
      request: () =>
        linear(
          "Issue",
          "create",
          {
            id: issueId,
            identifier: issue,
            number: 42,
            title: "Checkout times out on slow networks",
            team: { id: "t1", key: team, name: "Eng" },
            state: { name: "Todo" },
            url: `https://linear.app/acme/issue/${issue}/checkout`,
            createdAt: at(0),
            updatedAt: at(0),
          },
          "issue",
        ),
    },
    {
      name: "branch push",
      platform: "github",
      request: () =>
        push(`refs/heads/${pr7.head.ref}`, "0".repeat(40), [
          [c.C1, "Add retry helper", 0.5],
          [c.H1, "Retry payment call", 0.8],
        ]),
    },
    {
      name: "PR #7 opened",
      platform: "github",
      request: () => gh("pull_request", { action: "opened", number: 7, pull_request: pr7 }),
    },
    {
      name: "linear attachment",
      platform: "linear",
      request: () =>
        linear(
          "Attachment",
          "create",
          {
            id: randomUUID(),
            issueId,
            title: "PR #7",
            url: pr7.html_url,
            sourceType: "github",
            createdAt: at(1.1),
            updatedAt: at(1.1),
          },
          "attachment",
        ),
    },
    {
      name: "slack thread root",
      platform: "slack",
      request: () => slack("root", "1762077600.000100", `Review please: <${pr7.html_url}> fixes ${issue}`),
    },
    {
      name: "PR #7 approved",
      platform: "github",
      request: () =>
        gh("pull_request_review", {
          action: "submitted",
          review: { state: "approved", commit_id: c.H1, submitted_at: at(3) },
          pull_request: { ...pr7, updated_at: at(3) },
        }),
    },
    {
      name: "PR #7 squash-merged",
      platform: "github",
      request: () => gh("pull_request", { action: "closed", number: 7, pull_request: pr7merged }),
    },
    {
      name: "main push of the squash commit",
      platform: "github",
      request: () => push("refs/heads/main", c.B0, [[c.M1, `${pr7.title} (#7)\n\nFixes ${issue}`, 4]]),
    },
    { name: "staging deploy", platform: "deploy", request: () => dep("stg-1", "staging", "succeeded", c.M1, 5) },
    {
      name: "production-us deploy",
      platform: "deploy",
      request: () => dep("us-1", "production-us", "succeeded", c.M1, 6),
    },
    {
      name: "production-eu deploy",
      platform: "deploy",
      request: () => dep("eu-1", "production-eu", "succeeded", c.M1, 7),
    },
    {
      name: "slack thread reply",
      platform: "slack",
      request: () =>
        slack("reply", "1762077900.000200", `Shipped to production-us: <${ciUrl("us-1")}>`, "1762077600.000100"),
    },
    {
      name: "revert PR #8 merged",
      platform: "github",
      request: () => gh("pull_request", { action: "closed", number: 8, pull_request: pr8 }),
    },
    {
      name: "main push of the revert",
      platform: "github",
      request: () =>
        push("refs/heads/main", c.M1, [[c.R1, `Revert "${pr7.title} (#7)"\n\nThis reverts commit ${c.M1}.`, 9.5]]),
    },
    {
      name: "production-us rollback",
      platform: "deploy",
      request: () => dep("us-2", "production-us", "succeeded", c.B0, 8),
    },
    {
      name: "production-eu failed deploy",
      platform: "deploy",
      request: () => dep("eu-2", "production-eu", "failed", c.R1, 10),
    },
    {
      name: "production-eu deploy of the revert",
      platform: "deploy",
      request: () => dep("eu-3", "production-eu", "succeeded", c.R1, 11),
    },
  ];
  return { steps, repo, team, issue, channel, commits: c, deploy, pr7, pr8 };
}
