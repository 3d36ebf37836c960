/**
 * The chaos bench's deliveries: 40% GitHub (push, pull_request, issues), 25% Slack messages, 20%
 * Linear issues, 15% deploys; over a few dozen repositories, teams and channels, so the workers'
 * writers share the load as they do in production. Bodies are unique (a GitHub or Linear body seen
 * under another delivery id would be a replay, contract §2). Payloads of kit/payloads.ts, signed by
 * kit/sign.ts.
 */
import { createHash, randomUUID } from "node:crypto";
import { deployStatus, githubPush, linearWebhook, pullRequest, slackMessage } from "../../kit/payloads.js";
import { deployRequest, githubRequest, linearRequest, slackRequest, type SignedRequest } from "../../kit/sign.js";
import type { Platform } from "../../src/shared/event.js";

export interface Secrets {
  github: string;
  slack: string;
  linear: string;
  deploy: string; // whsec_…
}

/** One delivery as a sender holds it: the same delivery id on every attempt and redelivery. */
export interface Outgoing {
  platform: Platform;
  deliveryId: string;
  path: string;
  sign(redelivery: boolean): Promise<SignedRequest> | SignedRequest;
}

const REPOS = Array.from({ length: 24 }, (_, i) => `chaos${i % 4}/svc-${i}`);
const TEAMS = ["ENG", "WEB", "API", "OPS", "DATA", "MOB"];
const PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank"];

export function deliveryFactory(tag: string, s: Secrets) {
  const counters = new Map<string, number>();
  const next = (k: string) => {
    const n = (counters.get(k) ?? 0) + 1;
    counters.set(k, n);
    return n;
  };
  const sha = (n: number, what: string) => createHash("sha1").update(`${tag}:${what}:${n}`).digest("hex");

  return async function make(n: number): Promise<Outgoing> {
    const repo = REPOS[n % REPOS.length]!;
    const person = PEOPLE[n % PEOPLE.length]!;
    const now = new Date().toISOString();
    const bucket = n % 20;
    if (bucket < 8) {
      const repository = {
        id: 1000 + (n % REPOS.length),
        name: repo.split("/")[1],
        full_name: repo,
        private: true,
        html_url: `https://github.com/${repo}`,
        default_branch: "main",
        owner: { login: repo.split("/")[0] },
      };
      const sender = { login: person, type: "User" };
      let event: string;
      let payload: Record<string, unknown>;
      if (bucket < 4) {
        const after = sha(n, "push");
        const commit = {
          id: after,
          message: `change ${n}`,
          timestamp: now,
          url: `https://github.com/${repo}/commit/${after}`,
          author: { name: person },
        };
        event = "push";
        payload = {
          ...githubPush({
            ref: `refs/heads/${person}/work-${n}`,
            before: "0".repeat(40),
            commits: [commit],
            extra: { created: true, compare: `https://github.com/${repo}/compare/${after}` },
          }),
          repository,
          sender,
        };
      } else if (bucket < 6) {
        const number = next(`pr:${repo}`);
        event = "pull_request";
        payload = {
          action: "opened",
          number,
          repository,
          sender,
          pull_request: pullRequest({
            repo,
            number,
            title: `Change ${n}`,
            body: `Work ${tag} ${n}`,
            branch: `${person}/work-${n}`,
            sha: sha(n, "head"),
            at: now,
            author: person,
          }),
        };
      } else {
        const number = 100_000 + next(`issue:${repo}`);
        event = "issues";
        payload = {
          action: "opened",
          issue: {
            number,
            title: `Broken ${n}`,
            state: "open",
            html_url: `https://github.com/${repo}/issues/${number}`,
            updated_at: now,
            user: { login: person },
          },
          repository,
          sender,
        };
      }
      const signed = await githubRequest(event, payload, s.github, randomUUID());
      return {
        platform: "github",
        deliveryId: signed.headers["x-github-delivery"]!,
        path: "/webhooks/github",
        sign: () => signed,
      };
    }
    if (bucket < 13) {
      const at = Date.now();
      const ts = `${Math.floor(at / 1000)}.${String(n).padStart(6, "0")}`;
      const eventId = `Ev${tag}${n}`;
      const body = JSON.stringify(
        slackMessage({
          teamId: "T0CHAOS",
          appId: "A0CHAOS",
          eventId,
          eventTime: Math.floor(at / 1000),
          channel: `C${String(n % 16).padStart(8, "0")}`,
          user: `U${person.toUpperCase()}`,
          text: `Deployed <https://github.com/${repo}/pull/${1 + (n % 50)}> (${n})`,
          ts,
        }),
      );
      return {
        platform: "slack",
        deliveryId: eventId,
        path: "/webhooks/slack",
        sign(redelivery) {
          const req = slackRequest(body, "application/json", s.slack);
          if (redelivery)
            Object.assign(req.headers, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
          return req;
        },
      };
    }
    if (bucket < 17) {
      const team = TEAMS[n % TEAMS.length]!;
      const number = next(`team:${team}`);
      const identifier = `${team}-${number}`;
      const data = {
        id: randomUUID(),
        identifier,
        number,
        title: `Task ${n}`,
        team: { id: team.toLowerCase(), key: team, name: team },
        state: { name: "Todo" },
        url: `https://linear.app/chaos/issue/${identifier}/task`,
        createdAt: now,
        updatedAt: now,
      };
      const payload = linearWebhook({
        action: "create",
        type: "Issue",
        data,
        url: data.url,
        createdAt: now,
        actor: person,
      });
      const deliveryId = randomUUID();
      return {
        platform: "linear",
        deliveryId,
        path: "/webhooks/linear",
        sign: () => linearRequest(payload, s.linear, deliveryId),
      };
    }
    const id = `${repo.replace("/", "-")}-${tag}-${n}`;
    const body = deployStatus({
      id,
      repository: repo,
      environment: n % 3 ? "staging" : "production",
      status: "succeeded",
      sha: sha(n, "deploy"),
      extra: { ref: "main", service: repo.split("/")[1] },
      url: `https://deploy.example.com/${repo}/${id}`,
      startedAt: now,
      finishedAt: now,
    });
    const webhookId = `msg_${randomUUID()}`;
    return {
      platform: "deploy",
      deliveryId: webhookId,
      path: "/webhooks/deploy",
      sign: () => deployRequest(body, s.deploy, webhookId),
    };
  };
}
