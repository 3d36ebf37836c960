import { deployRequest, githubRequest, pagerdutyRequest, type SignedRequest } from "./sign.js";
import {
  deployStatus,
  githubPush,
  pagerdutyIncident,
  pullRequest,
  pullRequestMerged,
  type Commit,
} from "./payloads.js";

/**
 * The incident story of issue 16, parametrised by a namespace: a deploy ships PR #7, production
 * breaks (an issue labelled `Incident` naming PR #7, and an incident sender's page for the
 * service), PR #8 reverts #7, a redeploy ships the revert, the incident is resolved. The tests
 * and `npm run demo` send it; its expected suspects and DORA figures are in docs/incidents.md.
 */
export interface IncidentStep {
  name: string;
  platform: "github" | "deploy" | "pagerduty";
  request: () => Promise<SignedRequest> | SignedRequest;
}

export interface IncidentStorySecrets {
  github: string;
  deploy: string;
  pagerduty: string;
}

const HOUR = 3_600_000;
export const INCIDENT_T0 = Date.parse("2026-11-09T09:00:00Z");
const at = (hours: number) => new Date(INCIDENT_T0 + hours * HOUR).toISOString();
const sha = (seed: string, ns: string) =>
  `${seed}${ns}`
    .padEnd(40, "0")
    .slice(0, 40)
    .replace(/[^0-9a-f]/g, "b");

export function incidentStory(ns: string, o: { secrets: IncidentStorySecrets; run?: string }) {
  const run = o.run ?? ns;
  const repo = `acme/shop-${ns}`;
  const service = `shop-${ns}`;
  const c = { B_1: sha("01", ns), B0: sha("10", ns), C1: sha("c1", ns), M7: sha("e7", ns), H8: sha("f8", ns) };
  const deployId = (id: string) => `inc-${ns}-${id}`;
  const repository = { full_name: repo, default_branch: "main" };
  let delivery = 0;
  const gh = (event: string, payload: object) =>
    githubRequest(
      event,
      { ...payload, repository, sender: { login: "alice" } },
      o.secrets.github,
      `inc-${run}-${++delivery}`,
    );
  const commit = (id: string, message: string, hours: number): Commit => ({
    id,
    message,
    timestamp: at(hours),
    url: `https://github.com/${repo}/commit/${id}`,
  });
  const deploy = (id: string, status: string, sha: string, hours: number) =>
    deployRequest(
      deployStatus({
        id: deployId(id),
        repository: repo,
        environment: "production",
        status,
        sha,
        url: `https://ci.example.com/deploys/${deployId(id)}`,
        startedAt: at(hours - 0.1),
        finishedAt: at(hours),
        extra: { service },
      }),
      o.secrets.deploy,
      `inc-${run}-${id}-${status}`,
    );
  const pr7 = pullRequest({
    repo,
    number: 7,
    title: "Cache the cart between pages",
    body: "Keeps the cart in the session cache.",
    branch: "alice/cart-cache",
    sha: c.C1,
    at: at(0),
    author: "alice",
  });
  const pr8 = pullRequest({
    repo,
    number: 8,
    title: `Revert "${pr7.title}"`,
    body: `Reverts ${repo}#7`,
    branch: "revert-7-alice/cart-cache",
    sha: c.H8,
    at: at(5),
    author: "bob",
  });
  const incidentIssue = (state: "open" | "closed", hours: number) => ({
    number: 9,
    title: "Checkout answers 500 since this morning",
    body: `Carts come back empty, then checkout fails. Looks like a regression from #7.`,
    state,
    html_url: `https://github.com/${repo}/issues/9`,
    labels: [{ name: "Incident" }, { name: "sev2" }],
    created_at: at(3.5),
    updated_at: at(hours),
    closed_at: state === "closed" ? at(hours) : null,
  });
  const pagerdutyId = `Q${ns.toUpperCase()}`.slice(0, 14);
  const page = (eventType: string, status: string, hours: number) =>
    pagerdutyRequest(
      pagerdutyIncident({
        eventId: `01INC${run}${eventType}`,
        eventType,
        occurredAt: at(hours),
        id: pagerdutyId,
        status,
        title: "Checkout error rate above 5 %",
        service,
        createdAt: at(3.6),
      }),
      o.secrets.pagerduty,
      `inc-${run}-pd-${eventType}`,
    );
  const steps: IncidentStep[] = [
    {
      name: "main baseline push",
      platform: "github",
      request: () =>
        gh(
          "push",
          githubPush({ ref: "refs/heads/main", before: c.B_1, commits: [commit(c.B0, "Shop as it was", -48)] }),
        ),
    },
    { name: "baseline production deploy", platform: "deploy", request: () => deploy("0", "succeeded", c.B0, -24) },
    {
      name: "branch push",
      platform: "github",
      request: () =>
        gh(
          "push",
          githubPush({
            ref: `refs/heads/${pr7.head.ref}`,
            before: "0".repeat(40),
            commits: [commit(c.C1, "Cache the cart", -2)],
          }),
        ),
    },
    {
      name: "PR #7 opened",
      platform: "github",
      request: () => gh("pull_request", { action: "opened", number: 7, pull_request: pr7 }),
    },
    {
      name: "PR #7 reviewed by bob",
      platform: "github",
      request: () =>
        gh("pull_request_review", {
          action: "submitted",
          review: { state: "approved", commit_id: c.C1, submitted_at: at(1), user: { login: "bob" } },
          pull_request: { ...pr7, updated_at: at(1) },
        }),
    },
    {
      name: "PR #7 squash-merged",
      platform: "github",
      request: () =>
        gh("pull_request", { action: "closed", number: 7, pull_request: pullRequestMerged(pr7, c.M7, at(2)) }),
    },
    {
      name: "main push of #7",
      platform: "github",
      request: () =>
        gh(
          "push",
          githubPush({ ref: "refs/heads/main", before: c.B0, commits: [commit(c.M7, `${pr7.title} (#7)`, 2)] }),
        ),
    },
    { name: "production deploy ships #7", platform: "deploy", request: () => deploy("1", "succeeded", c.M7, 3) },
    {
      name: "PagerDuty incident triggered",
      platform: "pagerduty",
      request: () => page("incident.triggered", "triggered", 3.6),
    },
    {
      name: "PagerDuty incident acknowledged",
      platform: "pagerduty",
      request: () => page("incident.acknowledged", "acknowledged", 3.8),
    },
    {
      name: "incident issue opened",
      platform: "github",
      request: () => gh("issues", { action: "opened", issue: incidentIssue("open", 3.5) }),
    },
    {
      name: "revert PR #8 merged",
      platform: "github",
      request: () =>
        gh("pull_request", {
          action: "closed",
          number: 8,
          pull_request: pullRequestMerged(pr8, sha("a8", ns), at(5.5)),
        }),
    },
    {
      name: "main push of the revert",
      platform: "github",
      request: () =>
        gh(
          "push",
          githubPush({
            ref: "refs/heads/main",
            before: c.M7,
            commits: [commit(sha("a8", ns), `${pr8.title} (#8)`, 5.5)],
          }),
        ),
    },
    {
      name: "production redeploy ships the revert",
      platform: "deploy",
      request: () => deploy("2", "succeeded", sha("a8", ns), 6),
    },
    {
      name: "PagerDuty incident resolved",
      platform: "pagerduty",
      request: () => page("incident.resolved", "resolved", 6.5),
    },
    {
      name: "incident issue closed",
      platform: "github",
      request: () => gh("issues", { action: "closed", issue: incidentIssue("closed", 6.5) }),
    },
  ];
  return {
    repo,
    service,
    steps,
    deploy: (id: string) => `deploy:generic:${deployId(id)}`,
    pagerduty: `incident:pagerduty:${pagerdutyId}`,
    at,
  };
}
