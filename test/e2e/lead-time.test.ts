// Lead time in stages from real signed deliveries: GitHub's documented payloads
// (@octokit/webhooks-examples) adapted to one story per namespace, sent in order and shuffled.
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SECRETS, useTestService } from "../helpers/service.js";
import { deployRequest, githubRequest, post, type SignedRequest } from "../../kit/sign.js";
import { deployStatus, githubPush } from "../../kit/payloads.js";
import { apiCall } from "../helpers/api-call.js";
import { prng } from "../../kit/prng.js";

const ctx = useTestService({ WORKER_CONCURRENCY: "8" });
type Obj = Record<string, any>;
const examples: Array<{ name: string; examples: Obj[] }> = createRequire(import.meta.url)(
  "@octokit/webhooks-examples/api.github.com/index.json",
);
const example = (event: string, pick: (p: Obj) => boolean): Obj =>
  structuredClone(examples.find((e) => e.name === event)!.examples.find(pick)!);

const HOUR = 3600;
const T0 = Date.parse("2026-10-05T08:00:00Z");
const at = (hours: number) => new Date(T0 + hours * HOUR * 1000).toISOString();
const sha = (seed: string) => seed.repeat(40).slice(0, 40);

const call = apiCall(ctx);

/**
 * One PR's life in `repo`, hours from T0: commits on its branch at `coding` before it opens, a
 * self-review (never counted), reviews by others (the first counts), the merge, the push of the
 * merge commit to main, a staging deploy and a production deploy of it after a production baseline.
 */
function prStory(o: {
  repo: string;
  number: number;
  author: string;
  service: string;
  base: number;
  stages: [coding: number, pickup: number, review: number, deploy: number];
  id: string;
}): Array<() => Promise<SignedRequest> | SignedRequest> {
  const [coding, pickup, review, deploy] = o.stages;
  const opened = o.base + coding;
  const firstReview = opened + pickup;
  const merged = firstReview + review;
  const deployed = merged + deploy;
  const c = { base: sha(`${o.id}0`), c1: sha(`${o.id}1`), c2: sha(`${o.id}2`), merge: sha(`${o.id}3`) };
  const repository = { ...example("push", () => true).repository, full_name: o.repo, name: o.repo.split("/")[1] };
  let n = 0;
  const gh = (event: string, payload: Obj) =>
    githubRequest(event, { ...payload, repository }, SECRETS.github[0]!, `lt-${o.repo}-${o.number}-${++n}`);
  const commit = (id: string, hours: number) => ({
    id,
    message: `work ${id.slice(0, 6)}`,
    timestamp: at(hours),
    url: `https://github.com/${o.repo}/commit/${id}`,
  });
  const branch = `${o.author}/change-${o.number}`;
  const pr = (over: Obj = {}): Obj => ({
    ...example("pull_request", (p) => p.action === "opened").pull_request,
    number: o.number,
    title: `Change ${o.number}`,
    body: null,
    user: { login: o.author, id: 1, type: "User" },
    head: { ref: branch, sha: c.c2 },
    base: { ref: "main", sha: c.base },
    html_url: `https://github.com/${o.repo}/pull/${o.number}`,
    created_at: at(opened),
    updated_at: at(opened),
    ...over,
  });
  const mergedPr = pr({
    state: "closed",
    merged: true,
    merged_at: at(merged),
    closed_at: at(merged),
    updated_at: at(merged),
    merge_commit_sha: c.merge,
  });
  const reviewEvent = (login: string, hours: number, action = "submitted") => {
    const p = example("pull_request_review", (x) => x.action === "submitted");
    return gh("pull_request_review", {
      ...p,
      action,
      review: {
        ...p.review,
        user: { ...p.review.user, login },
        state: "approved",
        commit_id: c.c2,
        submitted_at: at(hours),
      },
      pull_request: { ...pr({ updated_at: at(hours) }), merged: undefined },
    });
  };
  const dep = (id: string, environment: string, shaOf: string, hours: number) =>
    deployRequest(
      deployStatus({
        id: `lt-${o.repo}-${o.number}-${id}`,
        repository: o.repo,
        environment,
        status: "succeeded",
        sha: shaOf,
        url: `https://ci.example.com/${o.repo}/${o.number}/${id}`,
        startedAt: at(hours - 0.1),
        finishedAt: at(hours),
        extra: { service: o.service },
      }),
      SECRETS.deploy[0]!,
      `lt-${o.repo}-${o.number}-${id}`,
    );
  return [
    () => gh("push", githubPush({ ref: "refs/heads/main", before: sha("f"), commits: [commit(c.base, o.base - 48)] })),
    () => dep("prod-0", "production", c.base, o.base - 24),
    () =>
      gh(
        "push",
        githubPush({
          ref: `refs/heads/${branch}`,
          before: "0".repeat(40),
          commits: [commit(c.c1, o.base), commit(c.c2, o.base + coding / 2)],
        }),
      ),
    () =>
      gh("pull_request", {
        ...example("pull_request", (p) => p.action === "opened"),
        number: o.number,
        pull_request: pr(),
      }),
    () => reviewEvent(o.author, opened + pickup / 2), // the author's own: not a review
    () => reviewEvent(`${o.author}-reviewer`, firstReview),
    () => reviewEvent(`${o.author}-other`, firstReview + review / 2),
    () => reviewEvent(`${o.author}-other`, firstReview + review / 2, "dismissed"),
    () =>
      gh("pull_request", {
        ...example("pull_request", (p) => p.action === "closed"),
        number: o.number,
        pull_request: mergedPr,
      }),
    () => gh("push", githubPush({ ref: "refs/heads/main", before: c.base, commits: [commit(c.merge, merged)] })),
    () => dep("staging-1", "staging", c.merge, merged + deploy / 2),
    () => dep("prod-1", "production", c.merge, deployed),
  ];
}

async function send(steps: Array<() => Promise<SignedRequest> | SignedRequest>) {
  for (const step of steps) {
    const req = await step();
    const url = req.headers["x-github-event"] ? "/webhooks/github" : "/webhooks/deploy";
    const res = await post(`${ctx.url}${url}`, req);
    expect(res.status, res.text).toBe(202);
  }
}

/** The answer once it has `want`'s figures (the pipeline is asynchronous), or the last one seen. */
async function settled(path: string, done: (json: any) => boolean, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await call("GET", path);
    if ((res.status === 200 && done(res.json)) || Date.now() > until) return res;
    await new Promise((r) => setTimeout(r, 150));
  }
}

const WINDOW = `since=${encodeURIComponent(at(-1))}&until=${encodeURIComponent(at(100))}`;
const complete = (n: number) => (j: any) =>
  j.pullRequests.length === n && j.pullRequests.every((p: any) => Object.values(p.stages).every((s) => s !== null));

describe("GET /api/metrics/lead-time", () => {
  it("splits a PR's lead time into coding, pickup, review and deploy, whatever the arrival order", async () => {
    const stages: [number, number, number, number] = [2, 3, 4, 5];
    const random = prng(16);
    for (const order of ["sent in order", "shuffled", "reversed"]) {
      const ns = randomBytes(4).toString("hex");
      const repo = `acme-${ns}/web`;
      const steps = prStory({ repo, number: 7, author: "alice", service: `web-${ns}`, base: 0, stages, id: ns[0]! });
      if (order === "shuffled")
        for (let i = steps.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [steps[i], steps[j]] = [steps[j]!, steps[i]!];
        }
      if (order === "reversed") steps.reverse();
      await send(steps);
      const { status, json } = await settled(`/api/metrics/lead-time?repository=${repo}&${WINDOW}`, complete(1));
      expect(status, order).toBe(200);
      expect(json.pullRequests, order).toEqual([
        expect.objectContaining({
          key: `github:pr:${repo}#7`,
          author: "alice",
          firstCommitAt: at(0),
          openedAt: at(2),
          firstReviewAt: at(5),
          mergedAt: at(9),
          deploy: `deploy:generic:lt-${repo}-7-prod-1`,
          deployedAt: at(14),
          stages: { coding: 2 * HOUR, pickup: 3 * HOUR, review: 4 * HOUR, deploy: 5 * HOUR },
        }),
      ]);
      expect(json.stages.review, order).toEqual({ count: 1, medianSeconds: 4 * HOUR, p90Seconds: 4 * HOUR });
      expect(json).toMatchObject({ repository: repo, group: null, repositories: [repo], merged: 1 });
      // One environment named: the staging deploy, halfway through the deploy stage.
      const staging = await call("GET", `/api/metrics/lead-time?repository=${repo}&environment=staging&${WINDOW}`);
      expect(staging.json.pullRequests[0].stages.deploy, order).toBe(2.5 * HOUR);
    }
  });

  it("counts a group's repositories, by glob and by service, with medians per repository", async () => {
    const ns = randomBytes(4).toString("hex");
    const web = `team-${ns}/web`;
    const api = `other-${ns}/api`;
    const outside = `other-${ns}/docs`;
    await send([
      ...prStory({
        repo: web,
        number: 1,
        author: "ana",
        service: `web1-${ns}`,
        base: 0,
        stages: [1, 2, 3, 4],
        id: "a",
      }),
      ...prStory({
        repo: web,
        number: 2,
        author: "ana",
        service: `web2-${ns}`,
        base: 1,
        stages: [3, 2, 1, 2],
        id: "b",
      }),
      ...prStory({ repo: api, number: 3, author: "bo", service: `pay-${ns}`, base: 2, stages: [2, 2, 2, 2], id: "c" }),
      ...prStory({
        repo: outside,
        number: 4,
        author: "cy",
        service: `doc-${ns}`,
        base: 2,
        stages: [9, 9, 9, 9],
        id: "d",
      }),
    ]);
    const put = await call("PUT", `/api/groups/team-${ns}`, {
      description: "payments",
      repositories: [`TEAM-${ns}/*`],
      services: [`PAY-${ns}`],
    });
    expect(put.status).toBe(201);
    const { status, json } = await settled(`/api/metrics/lead-time?group=team-${ns}&${WINDOW}`, complete(3));
    expect(status).toBe(200);
    expect(json).toMatchObject({ repository: null, group: `team-${ns}`, merged: 3 });
    expect(json.repositories.sort()).toEqual([api, web]);
    // coding 1, 3, 2 h; deploy 4, 2, 2 h
    expect(json.stages.coding).toEqual({ count: 3, medianSeconds: 2 * HOUR, p90Seconds: 2.8 * HOUR });
    expect(json.stages.deploy).toEqual({ count: 3, medianSeconds: 2 * HOUR, p90Seconds: 3.6 * HOUR });
    expect(json.byRepository).toEqual([
      {
        repository: api,
        merged: 1,
        stages: expect.objectContaining({ pickup: { count: 1, medianSeconds: 2 * HOUR, p90Seconds: 2 * HOUR } }),
      },
      {
        repository: web,
        merged: 2,
        stages: expect.objectContaining({ review: { count: 2, medianSeconds: 2 * HOUR, p90Seconds: 2.8 * HOUR } }),
      },
    ]);
    const repos = await call("GET", "/api/repositories");
    const mine = repos.json.items.filter((r: any) => r.repository.includes(ns));
    expect(mine.map((r: any) => [r.repository, r.groups, r.deploys, r.pullRequests, r.lastDeployAt])).toEqual([
      [api, [`team-${ns}`], 3, 1, at(10)],
      [outside, [], 3, 1, at(38)],
      [web, [`team-${ns}`], 6, 2, at(10)],
    ]);
  });

  it("answers 404 for an unknown group and 400 without exactly one of repository and group", async () => {
    expect((await call("GET", "/api/metrics/lead-time?group=no-such-group-here")).status).toBe(404);
    expect((await call("GET", "/api/metrics/lead-time")).status).toBe(400);
    expect((await call("GET", "/api/metrics/lead-time?repository=a/b&group=x")).status).toBe(400);
    expect(
      (await call("GET", "/api/metrics/lead-time?repository=a/b&since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z"))
        .status,
    ).toBe(400);
  });
});
