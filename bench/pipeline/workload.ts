/**
 * The pipeline benchmark's workload: per repository, repeated "PR cycles" (Linear issue → branch push → PR
 * → Slack review request → review → merge → main push → staging/production deploys → Slack "shipped"), the
 * cycle of kit/story.ts with its payloads, so that correlation meets every join it has: PR↔commits, Linear
 * mentions, deploy ranges, deploy URLs.
 */
import { randomUUID } from "node:crypto";
import { githubPush, pullRequest, pullRequestClosed, pullRequestMerged, type Commit } from "../../kit/payloads.js";
import { REPOS, SEED } from "./config.js";
import {
  deploy,
  github,
  linear,
  newSha,
  pick,
  rand,
  slack,
  TEAMS,
  PEOPLE,
  type Pending,
  type Repo,
} from "./deliveries.js";

const ENVS = ["staging", "production-us", "production-eu", "production-ap"];
const WORDS = [
  "checkout",
  "login",
  "retry",
  "cache",
  "search",
  "billing",
  "export",
  "timeouts",
  "webhooks",
  "avatar",
  "invoice",
  "sync",
];
const ZERO = "0".repeat(40);
const teamIssues = new Map<string, number>(TEAMS.map((t) => [t, 0]));

/** One PR cycle in `r`: 11–17 deliveries. */
async function cycle(r: Repo): Promise<Pending[]> {
  const out: Pending[] = [];
  const tick = (minutes: number) => (r.clock += minutes * 60_000 * (0.5 + rand()));
  const iso = () => new Date(r.clock).toISOString();
  const author = pick(PEOPLE);
  const teamNo = teamIssues.get(r.team)! + 1;
  teamIssues.set(r.team, teamNo);
  const ident = `${r.team}-${teamNo}`;
  const word = pick(WORDS);
  // No "name-123" tokens in titles other than real identifiers: "service-12" would read as a Linear
  // identifier of team SERVICE, and every PR would then lock that one team scope.
  const title = `${pick(["Fix", "Improve", "Refactor", "Speed up"])} ${word} ${pick(WORDS)}`;
  const issueUrl = `https://linear.app/acme/issue/${ident}/${word}`;
  const issueId = randomUUID();
  const created = iso();
  const issueData = (state: string) => ({
    id: issueId,
    identifier: ident,
    number: teamNo,
    title,
    team: { id: r.team.toLowerCase(), key: r.team, name: r.team },
    state: { name: state },
    url: issueUrl,
    createdAt: created,
    updatedAt: iso(),
  });
  out.push(linear("create", issueData("Todo"), r.clock));

  // Branch push: new branch, two or three commits.
  const branch = `${author}/${ident.toLowerCase()}-${word}`;
  const commits: Commit[] = Array.from({ length: 2 + Math.floor(rand() * 2) }, (_, i) => ({
    id: newSha(),
    message: `${word}: step ${i + 1}`,
    timestamp: iso(),
    url: "",
    author: { name: author },
  }));
  for (const c of commits) c.url = `https://github.com/${r.name}/commit/${c.id}`;
  tick(20);
  const compare = `https://github.com/${r.name}/compare/${branch}`;
  const branchPush = githubPush({
    ref: `refs/heads/${branch}`,
    before: ZERO,
    commits,
    extra: { created: true, compare },
  });
  out.push(await github(r, "push", branchPush, author));

  // Now and then a GitHub issue the PR closes.
  let closes = "";
  if (rand() < 0.25) {
    const n = ++r.number;
    out.push(
      await github(
        r,
        "issues",
        {
          action: "opened",
          issue: {
            number: n,
            title: `${word} is broken`,
            state: "open",
            html_url: `https://github.com/${r.name}/issues/${n}`,
            updated_at: iso(),
            user: { login: author },
          },
        },
        author,
      ),
    );
    closes = `\nFixes #${n}`;
  }

  const number = ++r.number;
  const prUrl = `https://github.com/${r.name}/pull/${number}`;
  tick(10);
  const pr = pullRequest({
    repo: r.name,
    number,
    title,
    body: `Fixes ${ident}${closes}\n\nSee ${issueUrl}`,
    branch,
    sha: commits.at(-1)!.id,
    at: iso(),
    author,
  });
  out.push(await github(r, "pull_request", { action: "opened", number, pull_request: pr }, author));
  tick(5);
  const root = slack(r, `Review please: <${prUrl}> for ${ident}`, r.clock);
  out.push(root.pending);
  tick(60);
  out.push(
    await github(
      r,
      "pull_request_review",
      {
        action: "submitted",
        review: { state: "approved", commit_id: pr.head.sha, submitted_at: iso(), html_url: `${prUrl}#review` },
        pull_request: { ...pr, updated_at: iso() },
      },
      pick(PEOPLE),
    ),
  );
  out.push(linear("update", issueData("In Review"), r.clock));

  // One PR in six is closed without merging (and its issue stays open).
  tick(30);
  if (rand() < 1 / 6) {
    out.push(
      await github(r, "pull_request", { action: "closed", number, pull_request: pullRequestClosed(pr, iso()) }, author),
    );
    return out;
  }
  const merge = newSha();
  out.push(
    await github(
      r,
      "pull_request",
      { action: "closed", number, pull_request: pullRequestMerged(pr, merge, iso()) },
      author,
    ),
  );
  const message = `${title} (#${number})\n\nFixes ${ident}`;
  const mainCommit: Commit = {
    id: merge,
    message,
    timestamp: iso(),
    url: `https://github.com/${r.name}/commit/${merge}`,
    author: { name: author },
  };
  const mainPush = githubPush({
    ref: "refs/heads/main",
    before: r.main,
    commits: [mainCommit],
    extra: { compare: "" },
  });
  out.push(await github(r, "push", mainPush, author));
  r.main = merge;

  // Staging gets every merge; production environments every 2nd/3rd/4th, so their ranges span
  // several merges. Production sends started then a final status; one in ten fails.
  const envs = ENVS.filter((_, i) => r.cycles % (i + 1) === 0);
  let shipped = "";
  for (const environment of envs) {
    const id = `${r.name.replace("/", "-")}-${++r.deploys}`;
    const start = tick(15);
    if (environment !== "staging") out.push(deploy(r, id, environment, "started", merge, start));
    const status = environment !== "staging" && rand() < 0.1 ? "failed" : "succeeded";
    out.push(deploy(r, id, environment, status, merge, start, tick(5)));
    shipped = `https://deploy.example.com/${r.name}/${id}`;
  }
  tick(5);
  out.push(slack(r, `Shipped ${ident} <${shipped}>`, r.clock, root.ts).pending);
  out.push(linear("update", issueData("Done"), r.clock));
  return out;
}

/** `n` deliveries over `repos` repositories (REPOS unless given: bench/scale.ts sizes its own). */
export async function workload(n: number, repos = REPOS): Promise<Pending[]> {
  const start = SEED ? Date.parse("2026-09-01T00:00:00Z") : Date.now() - 60 * 86_400_000;
  const all: Repo[] = Array.from({ length: repos }, (_, i) => ({
    name: `org${i % 7}/service-${i}`,
    team: TEAMS[i % TEAMS.length]!,
    channel: `C${String(i % 40).padStart(8, "0")}`,
    main: newSha(),
    number: 0,
    clock: start + i * 60_000,
    cycles: 0,
    deploys: 0,
  }));
  const out: Pending[] = [];
  // Round-robin over repositories, so concurrent jobs mostly touch different repositories.
  while (out.length < n) {
    for (const r of all) {
      if (out.length >= n) break;
      r.cycles++;
      out.push(...(await cycle(r)));
    }
  }
  return out.slice(0, n);
}
