/**
 * A seeded GitHub repository history (issue 17): pull requests with one head commit each, reviews,
 * squash merges to the default branch, deployments with their statuses, issues. Rendered two ways
 * from one plan: the REST state the loopback GitHub (kit/fake-github.ts) serves, and the webhook
 * deliveries GitHub would have sent meanwhile, in time order. The import of the first and the
 * delivery of the second must give the same graph (test/e2e/import-github.test.ts).
 */

import { prng } from "./prng.js";
import {
  DAY,
  HOUR,
  MINUTE,
  USERS,
  iso,
  pushCommit,
  type GithubHistory,
  type GithubRestState,
  type WebhookDelivery,
  type Obj,
} from "./github-history-types.js";

export interface HistoryOptions {
  seed?: number;
  repository?: string;
  pulls: number;
  days?: number;
  now?: Date;
  /** Render the webhook deliveries too (the bench needs the REST state only). */
  webhooks?: boolean;
}

export function githubHistory(o: HistoryOptions): GithubHistory {
  const rand = prng(o.seed ?? 17);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
  const sha = () => hex(40);
  const full = (o.repository ?? "acme/shop").toLowerCase();
  const [owner, name] = full.split("/") as [string, string];
  const now = (o.now ?? new Date()).getTime();
  const days = o.days ?? 90;
  const start = now - days * DAY + 6 * HOUR;
  const span = days * DAY - 12 * HOUR;
  const html = `https://github.com/${full}`;
  const api = `https://api.github.com/repos/${full}`;
  const user = (login: string) => ({ login, id: USERS.indexOf(login) + 1000, type: "User" });
  const repository = {
    id: 4242,
    node_id: "R_kgDOimport",
    name,
    full_name: full,
    private: false,
    owner: { login: owner, id: 99, type: "Organization" },
    html_url: html,
    url: api,
    default_branch: "main",
    created_at: iso(start - 30 * DAY),
  };

  // The default branch: a root commit before the window, then one squash commit per merge.
  const root = {
    sha: sha(),
    at: start - 10 * DAY,
    message: "Initial commit",
    author: "ada",
    parent: null as string | null,
  };
  const main: Array<typeof root> = [root];

  interface Plan {
    number: number;
    author: string;
    reviewer: string;
    branch: string;
    title: string;
    body: string;
    openedAt: number;
    reviewedAt: number;
    closedAt: number | null;
    merged: boolean;
    head: { sha: string; at: number; message: string };
    issue: { number: number; openedAt: number; closedAt: number | null; title: string } | null;
    base?: string;
    mergeSha?: string;
    reviewId: number;
    deploy?: { id: number; at: number; statuses: Array<{ id: number; state: string; at: number }> };
  }
  const plans: Plan[] = [];
  let number = 0;
  let reviewId = 80_000;
  for (let i = 0; i < o.pulls; i++) {
    const openedAt = start + Math.floor((i / o.pulls) * span) + Math.floor(rand() * 10) * MINUTE;
    const author = USERS[Math.floor(rand() * USERS.length)]!;
    const reviewer = USERS[(USERS.indexOf(author) + 1 + Math.floor(rand() * 4)) % USERS.length]!;
    const fate = rand();
    // One PR in four fixes an issue opened an hour before it.
    const issue =
      rand() < 0.25
        ? {
            number: ++number,
            openedAt: openedAt - HOUR,
            closedAt: fate < 0.9 ? openedAt + 4 * HOUR : null,
            title: `Bug ${number}: checkout fails`,
          }
        : null;
    const n = ++number;
    const title = `Change ${n}: tidy the checkout`;
    plans.push({
      number: n,
      author,
      reviewer,
      branch: `change-${n}`,
      title,
      body: issue ? `Fixes #${issue.number}.` : "No issue.",
      openedAt,
      reviewedAt: openedAt + 2 * HOUR,
      closedAt: fate < 0.95 ? openedAt + 3 * HOUR + Math.floor(rand() * 30) * MINUTE : null,
      merged: fate < 0.9,
      head: { sha: sha(), at: openedAt - 5 * MINUTE, message: title },
      issue,
      reviewId: ++reviewId,
    });
  }
  // Merges in time order make the default branch's chain; each PR branched from the head of its time.
  for (const p of [...plans].filter((p) => p.merged).sort((a, b) => a.closedAt! - b.closedAt!)) {
    const parent = main.at(-1)!;
    p.mergeSha = sha();
    main.push({
      sha: p.mergeSha,
      at: p.closedAt!,
      message: `${p.title} (#${p.number})`,
      author: p.author,
      parent: parent.sha,
    });
  }
  let deploymentId = 500_000;
  let statusId = 900_000;
  for (const p of plans) {
    let base = root;
    for (const c of main) if (c.at <= p.head.at) base = c;
    p.base = base.sha;
    if (p.merged) {
      const at = p.closedAt! + 5 * MINUTE;
      const failed = rand() < 0.1;
      p.deploy = {
        id: ++deploymentId,
        at,
        statuses: [
          { id: ++statusId, state: "in_progress", at: at + MINUTE },
          { id: ++statusId, state: failed ? "failure" : "success", at: at + 6 * MINUTE },
        ],
      };
    }
  }

  // ── REST objects (the state as it is now) ──
  const restCommit = (c: { sha: string; at: number; message: string; author: string }, parent: string | null) => ({
    sha: c.sha,
    node_id: `C_${c.sha.slice(0, 10)}`,
    commit: {
      message: c.message,
      author: { name: c.author, email: `${c.author}@example.com`, date: iso(c.at) },
      committer: { name: c.author, email: `${c.author}@example.com`, date: iso(c.at) },
      tree: { sha: c.sha.split("").reverse().join("") },
    },
    author: user(c.author),
    committer: user(c.author),
    parents: parent ? [{ sha: parent, url: `${api}/commits/${parent}` }] : [],
    url: `${api}/commits/${c.sha}`,
    html_url: `${html}/commit/${c.sha}`,
  });
  const prObject = (p: Plan, at: number) => {
    const closed = p.closedAt !== null && at >= p.closedAt;
    const merged = closed && p.merged;
    const updated = closed ? p.closedAt! : at >= p.reviewedAt ? p.reviewedAt : p.openedAt;
    return {
      url: `${api}/pulls/${p.number}`,
      id: 700_000 + p.number,
      node_id: `PR_${p.number}`,
      html_url: `${html}/pull/${p.number}`,
      number: p.number,
      state: closed ? "closed" : "open",
      locked: false,
      title: p.title,
      user: user(p.author),
      body: p.body,
      created_at: iso(p.openedAt),
      updated_at: iso(updated),
      closed_at: closed ? iso(p.closedAt!) : null,
      merged_at: merged ? iso(p.closedAt!) : null,
      merge_commit_sha: merged ? p.mergeSha! : null,
      draft: false,
      head: { label: `${owner}:${p.branch}`, ref: p.branch, sha: p.head.sha, user: user(p.author), repo: repository },
      base: { label: `${owner}:main`, ref: "main", sha: p.base!, user: { login: owner }, repo: repository },
      author_association: "MEMBER",
    };
  };
  const reviewObject = (p: Plan, webhook: boolean) => ({
    id: p.reviewId,
    node_id: `PRR_${p.reviewId}`,
    user: user(p.reviewer),
    body: "Looks good.",
    state: webhook ? "approved" : "APPROVED",
    html_url: `${html}/pull/${p.number}#pullrequestreview-${p.reviewId}`,
    pull_request_url: `${api}/pulls/${p.number}`,
    commit_id: p.head.sha,
    submitted_at: iso(p.reviewedAt),
    author_association: "MEMBER",
  });
  const deploymentObject = (p: Plan, at: number) => ({
    url: `${api}/deployments/${p.deploy!.id}`,
    id: p.deploy!.id,
    node_id: `DE_${p.deploy!.id}`,
    sha: p.mergeSha!,
    ref: "main",
    task: "deploy",
    payload: {},
    original_environment: "production",
    environment: "production",
    description: `Deploy #${p.number}`,
    creator: user(p.author),
    created_at: iso(p.deploy!.at),
    updated_at: iso(at),
    statuses_url: `${api}/deployments/${p.deploy!.id}/statuses`,
    repository_url: api,
    transient_environment: false,
    production_environment: true,
  });
  const statusObject = (p: Plan, s: { id: number; state: string; at: number }) => ({
    url: `${api}/deployments/${p.deploy!.id}/statuses/${s.id}`,
    id: s.id,
    node_id: `DES_${s.id}`,
    state: s.state,
    creator: user(p.author),
    description: s.state,
    environment: "production",
    target_url: `https://ci.example.com/deploys/${p.deploy!.id}`,
    log_url: `https://ci.example.com/deploys/${p.deploy!.id}`,
    environment_url: "https://shop.example.com",
    created_at: iso(s.at),
    updated_at: iso(s.at),
    deployment_url: `${api}/deployments/${p.deploy!.id}`,
    repository_url: api,
  });
  const issueObject = (p: Plan, at: number) => {
    const i = p.issue!;
    const closed = i.closedAt !== null && at >= i.closedAt;
    return {
      url: `${api}/issues/${i.number}`,
      id: 600_000 + i.number,
      node_id: `I_${i.number}`,
      number: i.number,
      title: i.title,
      user: user(p.reviewer),
      labels: [{ id: 1, name: "bug", color: "d73a4a" }],
      state: closed ? "closed" : "open",
      locked: false,
      comments: 0,
      created_at: iso(i.openedAt),
      updated_at: iso(closed ? i.closedAt! : i.openedAt),
      closed_at: closed ? iso(i.closedAt!) : null,
      body: "It fails.",
      html_url: `${html}/issues/${i.number}`,
      author_association: "MEMBER",
    };
  };

  const end = Number.MAX_SAFE_INTEGER;
  const byTimeDesc = (k: string) => (a: Obj, b: Obj) => (a[k] < b[k] ? 1 : a[k] > b[k] ? -1 : 0);
  const state: GithubRestState = {
    repository,
    pulls: plans.map((p) => prObject(p, end)),
    prCommits: new Map(plans.map((p) => [p.number, [restCommit({ ...p.head, author: p.author }, p.base!)]])),
    reviews: new Map(plans.map((p) => [p.number, [reviewObject(p, false)]])),
    commits: main.map((c) => restCommit(c, c.parent)).reverse(),
    deployments: plans
      .filter((p) => p.deploy)
      .map((p) => deploymentObject(p, p.deploy!.statuses.at(-1)!.at))
      .sort(byTimeDesc("created_at")),
    statuses: new Map(
      plans
        .filter((p) => p.deploy)
        .map((p) => [p.deploy!.id, p.deploy!.statuses.map((s) => statusObject(p, s)).reverse()]),
    ),
    issues: [
      ...plans.filter((p) => p.issue).map((p) => issueObject(p, end)),
      // GitHub's issues list holds pull requests too, marked by `pull_request`: the import skips them.
      ...plans.map((p) => {
        const pr = prObject(p, end);
        return {
          url: `${api}/issues/${p.number}`,
          id: 800_000 + p.number,
          number: p.number,
          title: p.title,
          user: pr.user,
          labels: [],
          state: pr.state,
          created_at: pr.created_at,
          updated_at: pr.updated_at,
          closed_at: pr.closed_at,
          body: p.body,
          html_url: pr.html_url,
          pull_request: { url: pr.url, html_url: pr.html_url, merged_at: pr.merged_at },
        };
      }),
    ].sort((a, b) => a.number - b.number),
  };

  // ── Webhooks (what GitHub sent at each moment) ──
  const webhooks: WebhookDelivery[] = [];
  if (o.webhooks !== false) {
    let guid = 0;
    const send = (event: string, at: number, payload: Obj) =>
      webhooks.push({
        event,
        at: iso(at),
        payload: { ...payload, repository, sender: payload.sender ?? user("ada") },
        deliveryId: `00000000-0000-4000-8000-${(++guid).toString(16).padStart(12, "0")}`,
      });
    const push = (at: number, branch: string, before: string, c: Obj, by: string) =>
      send("push", at, {
        ref: `refs/heads/${branch}`,
        before,
        after: c.sha,
        created: false,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `${html}/compare/${before.slice(0, 12)}...${c.sha.slice(0, 12)}`,
        commits: [pushCommit(c)],
        head_commit: pushCommit(c),
        pusher: { name: by },
        sender: user(by),
      });
    for (const p of plans) {
      if (p.issue) {
        send("issues", p.issue.openedAt, {
          action: "opened",
          issue: issueObject(p, p.issue.openedAt),
          sender: user(p.reviewer),
        });
        if (p.issue.closedAt !== null)
          send("issues", p.issue.closedAt, {
            action: "closed",
            issue: issueObject(p, p.issue.closedAt),
            sender: user(p.reviewer),
          });
      }
      push(p.head.at, p.branch, p.base!, restCommit({ ...p.head, author: p.author }, p.base!), p.author);
      const opened = prObject(p, p.openedAt);
      send("pull_request", p.openedAt, {
        action: "opened",
        number: p.number,
        pull_request: { ...opened, merged: false },
        sender: user(p.author),
      });
      const reviewed = prObject(p, p.reviewedAt);
      send("pull_request_review", p.reviewedAt, {
        action: "submitted",
        review: reviewObject(p, true),
        pull_request: reviewed,
        sender: user(p.reviewer),
      });
      if (p.closedAt !== null) {
        const closed = prObject(p, p.closedAt);
        send("pull_request", p.closedAt, {
          action: "closed",
          number: p.number,
          pull_request: { ...closed, merged: p.merged },
          sender: user(p.author),
        });
      }
      if (p.merged) {
        const i = main.findIndex((c) => c.sha === p.mergeSha);
        push(p.closedAt! + 1000, "main", main[i - 1]!.sha, restCommit(main[i]!, main[i - 1]!.sha), p.author);
        const d = p.deploy!;
        send("deployment", d.at, { action: "created", deployment: deploymentObject(p, d.at), sender: user(p.author) });
        for (const s of d.statuses)
          send("deployment_status", s.at, {
            action: "created",
            deployment_status: statusObject(p, s),
            deployment: deploymentObject(p, s.at),
            sender: user(p.author),
          });
      }
    }
    webhooks.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
  return {
    state,
    webhooks,
    counts: {
      pulls: plans.length,
      merged: plans.filter((p) => p.merged).length,
      deployments: state.deployments.length,
      issues: plans.filter((p) => p.issue).length,
      commits: main.length - 1,
    },
  };
}
