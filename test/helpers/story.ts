import { randomUUID } from "node:crypto";
import { SECRETS } from "./service.js";
import {
  deployRequest,
  githubRequest,
  linearRequest,
  slackRequest,
  type SignedRequest,
} from "../../src/senders/sign.js";

/**
 * The multi-platform story of issue #3, parametrised by a namespace so several copies can live in
 * one database: a Linear issue, a PR that fixes it, review, squash merge, push, deploys to staging
 * and two production environments, a Slack thread, a revert PR, a failed deploy and a rollback.
 */
export interface Step {
  name: string;
  platform: "github" | "slack" | "linear" | "deploy";
  request: () => Promise<SignedRequest> | SignedRequest;
}

const HOUR = 3_600_000;
export const T0 = Date.parse("2026-11-02T09:00:00Z");
export const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
const sha = (seed: string, ns: string) =>
  (seed + ns)
    .padEnd(40, "0")
    .slice(0, 40)
    .replace(/[^0-9a-f]/g, "a");

export function story(ns: string) {
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
  const pr7 = {
    number: 7,
    title: "Retry checkout on slow networks",
    body: `Fixes ${issue}\n\nRetries the payment call twice.`,
    state: "open",
    merged: false,
    html_url: `https://github.com/${repo}/pull/7`,
    head: { ref: `alice/${team.toLowerCase()}-42-checkout-timeouts`, sha: c.H1 },
    base: { ref: "main" },
    merge_commit_sha: null as string | null,
    created_at: at(1),
    updated_at: at(1),
    merged_at: null as string | null,
    closed_at: null as string | null,
  };
  const pr7merged = {
    ...pr7,
    state: "closed",
    merged: true,
    merge_commit_sha: c.M1,
    updated_at: at(4),
    merged_at: at(4),
    closed_at: at(4),
  };
  const pr8 = {
    number: 8,
    title: `Revert "${pr7.title}"`,
    body: `Reverts ${repo}#7`,
    state: "closed",
    merged: true,
    html_url: `https://github.com/${repo}/pull/8`,
    head: { ref: `revert-7-alice/${team.toLowerCase()}-42-checkout-timeouts`, sha: c.H8 },
    base: { ref: "main" },
    merge_commit_sha: c.R1,
    created_at: at(9),
    updated_at: at(9.5),
    merged_at: at(9.5),
    closed_at: at(9.5),
  };
  let ghDelivery = 0;
  const gh = (event: string, payload: object) =>
    githubRequest(
      event,
      { ...payload, repository, sender: { login: "alice" } },
      SECRETS.github[0]!,
      `gh-${ns}-${event}-${++ghDelivery}`,
    );
  const dep = (id: string, environment: string, status: string, shaOf: string, hours: number) =>
    deployRequest(
      {
        id: deploy(id),
        repository: repo,
        environment,
        status,
        sha: shaOf,
        url: ciUrl(id),
        started_at: at(hours - 0.1),
        finished_at: at(hours),
      },
      SECRETS.deploy[0]!,
      `msg-${ns}-${id}-${status}`,
    );
  const slack = (eventId: string, ts: string, text: string, threadTs?: string) =>
    slackRequest(
      JSON.stringify({
        type: "event_callback",
        team_id: "T0ACME0001",
        api_app_id: "A0ACMEAPP1",
        event_id: `Ev${ns}${eventId}`,
        event_time: 1762077600,
        event: {
          type: "message",
          channel,
          user: "U0ALICE001",
          text,
          ts,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          event_ts: ts,
        },
      }),
      "application/json",
      SECRETS.slack[0]!,
    );
  const linear = (type: string, action: string, data: object, id: string) =>
    linearRequest(
      {
        action,
        type,
        data,
        url: `https://linear.app/acme/issue/${issue}`,
        createdAt: at(0),
        actor: { id: "u1", name: "Alice", type: "user" },
      },
      SECRETS.linear[0]!,
      `lin-${ns}-${id}`,
    );
  const push = (ref: string, before: string, commits: Array<[string, string, number]>) =>
    gh("push", {
      ref,
      before,
      after: commits.at(-1)![0],
      forced: false,
      commits: commits.map(([id, message, hours]) => ({
        id,
        message,
        timestamp: at(hours),
        url: `https://github.com/${repo}/commit/${id}`,
      })),
      head_commit: { id: commits.at(-1)![0], message: commits.at(-1)![1], timestamp: at(commits.at(-1)![2]) },
    });

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
