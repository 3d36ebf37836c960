/**
 * Webhook payloads shaped as each platform sends them, shared by the story (kit/story.ts), the demo,
 * the tests and the pipeline benchmark, so the Linear → PR → deploy vocabulary is written once.
 */

export interface Commit {
  id: string;
  message: string;
  timestamp: string;
  url: string;
  author?: { name: string };
}

/** A GitHub `push`; the head commit is the last one, as GitHub sends it. */
export function githubPush(o: { ref: string; before: string; commits: Commit[]; extra?: Record<string, unknown> }) {
  const head = o.commits.at(-1)!;
  return {
    ref: o.ref,
    before: o.before,
    after: head.id,
    forced: false,
    ...o.extra,
    commits: o.commits,
    head_commit: head,
  };
}

/** An open GitHub pull request; `pullRequestMerged` and `pullRequestClosed` give its later states. */
export function pullRequest(o: {
  repo: string;
  number: number;
  title: string;
  body: string;
  branch: string;
  sha: string;
  at: string;
  author?: string;
}) {
  return {
    number: o.number,
    title: o.title,
    body: o.body,
    state: "open",
    merged: false,
    html_url: `https://github.com/${o.repo}/pull/${o.number}`,
    ...(o.author ? { user: { login: o.author } } : {}),
    head: { ref: o.branch, sha: o.sha },
    base: { ref: "main" },
    merge_commit_sha: null as string | null,
    created_at: o.at,
    updated_at: o.at,
    merged_at: null as string | null,
    closed_at: null as string | null,
  };
}
type PullRequest = ReturnType<typeof pullRequest>;

export const pullRequestMerged = (pr: PullRequest, mergeSha: string, at: string): PullRequest => ({
  ...pr,
  state: "closed",
  merged: true,
  merge_commit_sha: mergeSha,
  updated_at: at,
  merged_at: at,
  closed_at: at,
});

export const pullRequestClosed = (pr: PullRequest, at: string): PullRequest => ({
  ...pr,
  state: "closed",
  updated_at: at,
  closed_at: at,
});

/** A Slack Events API `message` envelope (a thread reply when `threadTs` is given). */
export function slackMessage(o: {
  teamId: string;
  appId: string;
  eventId: string;
  eventTime: number;
  channel: string;
  user: string;
  text: string;
  ts: string;
  threadTs?: string;
}) {
  return {
    type: "event_callback",
    team_id: o.teamId,
    api_app_id: o.appId,
    event_id: o.eventId,
    event_time: o.eventTime,
    event: {
      type: "message",
      channel: o.channel,
      user: o.user,
      text: o.text,
      ts: o.ts,
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
      event_ts: o.ts,
    },
  };
}

/** A Linear data-change webhook (before signing adds `webhookTimestamp`). */
export const linearWebhook = (o: {
  action: string;
  type: string;
  data: Record<string, unknown>;
  url: string;
  createdAt: string;
  actor: string;
}) => ({
  action: o.action,
  type: o.type,
  data: o.data,
  url: o.url,
  createdAt: o.createdAt,
  actor: { id: "u1", name: o.actor, type: "user" },
});

/** A generic deploy status, the body `POST /webhooks/deploy` takes (contract §2). */
export const deployStatus = (o: {
  id: string;
  repository: string;
  environment: string;
  status: string;
  sha: string;
  url: string;
  startedAt: string;
  finishedAt?: string;
  extra?: Record<string, unknown>;
}) => ({
  id: o.id,
  repository: o.repository,
  environment: o.environment,
  status: o.status,
  sha: o.sha,
  ...o.extra,
  url: o.url,
  started_at: o.startedAt,
  ...(o.finishedAt ? { finished_at: o.finishedAt } : {}),
});

/**
 * A PagerDuty v3 webhook for an incident (the envelope of PagerDuty's developer docs, webhooks
 * "Overview": `event.{id, event_type, resource_type, occurred_at, data}`).
 */
export const pagerdutyIncident = (o: {
  eventId: string;
  eventType: string;
  occurredAt: string;
  id: string;
  status: string;
  title: string;
  service: string;
  createdAt: string;
}) => ({
  event: {
    id: o.eventId,
    event_type: o.eventType,
    resource_type: "incident",
    occurred_at: o.occurredAt,
    agent: null,
    client: null,
    data: {
      id: o.id,
      type: "incident",
      self: `https://api.pagerduty.com/incidents/${o.id}`,
      html_url: `https://acme.pagerduty.com/incidents/${o.id}`,
      number: 2,
      status: o.status,
      title: o.title,
      created_at: o.createdAt,
      urgency: "high",
      service: { id: "PF9KMXH", summary: o.service, type: "service_reference" },
      teams: [{ id: "PFCVPS0", summary: "Engineering", type: "team_reference" }],
    },
  },
});
