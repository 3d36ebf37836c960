// A GitLab merge request merged, pushed and deployed, end to end: GitLab's documented payloads
// (fixtures/gitlab, from webhook_events.md) with their ids and SHAs made one consistent story, sent signed
// over HTTP to a real service, then read back through the API as GitHub's are.
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SECRETS, useTestService, useTestPrisma, waitFor } from "../helpers/service.js";
import { gitlabRequest, post } from "../../kit/sign.js";
import { apiCall } from "../helpers/api-call.js";
import { loadFixtures } from "../helpers/fixtures.js";

type Obj = Record<string, any>;
const SIGNING = `whsec_${Buffer.from("gitlab-signing-token-e2e-32bytes").toString("base64")}`;
// The test tokens, and a signing token beside them: GITLAB_WEBHOOK_SECRET holds both kinds.
const ctx = useTestService({ GITLAB_WEBHOOK_SECRET: [...SECRETS.gitlab, SIGNING].join(",") });
const prisma = useTestPrisma();
const call = apiCall(ctx);
const fixtures = loadFixtures("gitlab");

const HOUR = 3_600_000;
const T0 = Date.parse("2026-10-05T08:00:00Z");
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
const sha = (c: string) => c.repeat(40);

// One project per run (the run's schema is shared): a subgroup path, in mixed case as GitLab shows it.
const PATH = `Acme-${randomBytes(3).toString("hex")}/Platform/Web`;
const path = PATH.toLowerCase();
const REPO = `gitlab:${path}`;
const MR = `gitlab:mr:${path}!7`;
const C = { base: sha("a"), c1: sha("b"), c2: sha("c"), merge: sha("d") };
const commitKey = (s: string) => `gitlab:commit:${path}@${s}`;
const project = (p: Obj) => ({
  ...p.project,
  path_with_namespace: PATH,
  web_url: `https://gitlab.example.com/${PATH}`,
});

function mergeRequest(over: Obj): Obj {
  const p = structuredClone(fixtures.merge_request_merge!.payload);
  p.project = project(p);
  Object.assign(p.object_attributes, {
    iid: 7,
    title: "ENG-42 Faster checkout",
    description: "Closes #3",
    source_branch: "eng-42-faster-checkout",
    target_branch: "main",
    author_id: 1, // the event's user (root) wrote it
    created_at: at(1),
    url: `https://gitlab.example.com/${PATH}/-/merge_requests/7`,
    last_commit: { ...p.object_attributes.last_commit, id: C.c2 },
    ...over,
  });
  return p;
}

function push(ref: string, before: string, commits: Array<[string, string, number]>): Obj {
  const p = structuredClone(fixtures.push!.payload);
  const template = p.commits[0];
  return {
    ...p,
    project: project(p),
    ref: `refs/heads/${ref}`,
    before,
    after: commits.at(-1)![0],
    checkout_sha: commits.at(-1)![0],
    commits: commits.map(([id, message, hours]) => ({
      ...template,
      id,
      message,
      title: message.split("\n")[0],
      timestamp: at(hours),
      url: `https://gitlab.example.com/${PATH}/-/commit/${id}`,
    })),
    total_commits_count: commits.length,
  };
}

function deployment(id: number, s: string, hours: number, environment = "production"): Obj {
  const p = structuredClone(fixtures.deployment_success!.payload);
  return {
    ...p,
    project: project(p),
    status: "success",
    deployment_id: id,
    environment,
    status_changed_at: at(hours),
    commit_url: `https://gitlab.example.com/${PATH}/-/commit/${s}`,
  };
}

const send = async (event: string, payload: Obj, auth: { token?: string; signingToken?: string }) => {
  const res = await post(`${ctx.url}/webhooks/gitlab`, gitlabRequest(event, payload, auth, randomUUID()));
  expect(res.status, res.text).toBe(202);
  return res.json.id as string;
};

describe("GitLab receiver over HTTP", () => {
  it("accepts the secret token and the signing token, refuses a wrong token, dedupes Idempotency-Key", async () => {
    const body = deployment(990_001, C.base, 0, "review");
    const id = randomUUID();
    const first = await post(
      `${ctx.url}/webhooks/gitlab`,
      gitlabRequest("Deployment Hook", body, { token: SECRETS.gitlab[1] }, id),
    );
    expect(first.status, first.text).toBe(202);
    // GitLab's retry: the same Idempotency-Key (and body).
    const retry = await post(
      `${ctx.url}/webhooks/gitlab`,
      gitlabRequest("Deployment Hook", body, { token: SECRETS.gitlab[0] }, id),
    );
    expect(retry.status).toBe(200);
    // The same body under a fresh id and only the token: a replay of the signed-nothing body.
    const replay = await post(
      `${ctx.url}/webhooks/gitlab`,
      gitlabRequest("Deployment Hook", body, { token: SECRETS.gitlab[0] }, randomUUID()),
    );
    expect(replay.status).toBe(200);
    const signed = await post(
      `${ctx.url}/webhooks/gitlab`,
      gitlabRequest("Deployment Hook", deployment(990_002, C.base, 0, "review"), { signingToken: SIGNING }),
    );
    expect(signed.status, signed.text).toBe(202);
    const wrong = await post(
      `${ctx.url}/webhooks/gitlab`,
      gitlabRequest("Deployment Hook", body, { token: "not-the-token" }, randomUUID()),
    );
    expect(wrong.status).toBe(401);
    const e = await waitFor(() =>
      prisma.event.findUnique({ where: { id: first.json.id }, include: { deployment: true } }),
    );
    expect(e.platform).toBe("gitlab");
    expect(e.type).toBe("gitlab.deployment.success");
    const raw = await prisma.rawDelivery.findUniqueOrThrow({ where: { id: first.json.id } });
    expect(raw.headers).toMatchObject({ "x-gitlab-event": "Deployment Hook", "idempotency-key": id });
    expect(raw.headers).not.toHaveProperty("x-gitlab-token"); // a secret is never stored
    const detail = await call("GET", `/api/events/${first.json.id}`);
    expect(detail.json.rows.gitlab).toMatchObject({
      name: "deployment",
      repository: REPO,
      sha: C.base,
      state: "success",
      sender: "root",
    });
    expect(detail.json.rows.deployment).toMatchObject({ source: "gitlab", deployId: "990001", environment: "review" });
  });
});

describe("a GitLab merge request merged, pushed and deployed", () => {
  it("correlates as a GitHub PR does: the deploy ships the MR, its commits and its issue; DORA counts it", async () => {
    // Baseline deploy of main, the MR's branch pushed and opened, merged, main pushed, deployed.
    await send("Deployment Hook", deployment(991_001, C.base, 0), { token: SECRETS.gitlab[0] });
    await send(
      "Push Hook",
      push("eng-42-faster-checkout", C.base, [
        [C.c1, "start", 0.5],
        [C.c2, "finish", 0.8],
      ]),
      {
        token: SECRETS.gitlab[0],
      },
    );
    await send("Merge Request Hook", mergeRequest({ state: "opened", action: "open", updated_at: at(1) }), {
      signingToken: SIGNING,
    });
    const mergeMessage = `Merge branch 'eng-42-faster-checkout' into 'main'\n\nENG-42 Faster checkout\n\nCloses #3\n\nSee merge request ${PATH}!7`;
    await send(
      "Merge Request Hook",
      mergeRequest({ state: "merged", action: "merge", merge_commit_sha: C.merge, updated_at: at(3) }),
      { token: SECRETS.gitlab[1], signingToken: SIGNING },
    );
    await send(
      "Push Hook",
      push("main", C.base, [
        [C.c1, "start", 0.5],
        [C.c2, "finish", 0.8],
        [C.merge, mergeMessage, 3],
      ]),
      {
        token: SECRETS.gitlab[0],
      },
    );
    await send("Deployment Hook", deployment(991_002, C.merge, 4), { signingToken: SIGNING });

    const DEPLOY = "deploy:gitlab:991002";
    const changes = await waitFor(async () => {
      const r = await call("GET", `/api/deploys/${encodeURIComponent(DEPLOY)}/changes`);
      return r.status === 200 && r.json.pullRequests.length > 0 && r.json.issues.length > 0 ? r.json : null;
    }, 20_000);
    expect(changes.deploy).toMatchObject({
      key: DEPLOY,
      repository: REPO,
      environment: "production",
      status: "succeeded",
    });
    expect(changes.previous).toMatchObject({ key: "deploy:gitlab:991001" });
    expect(changes.commits.map((c: Obj) => c.key).sort()).toEqual([C.c1, C.c2, C.merge].map(commitKey).sort());
    expect(changes.pullRequests).toEqual([
      expect.objectContaining({ key: MR, number: 7, title: "ENG-42 Faster checkout", mergeCommitSha: C.merge }),
    ]);
    // Only the GitLab issues: ENG-42 (the title's Linear identifier) is shipped too once another test of the run's
    // schema has made that Linear issue known.
    expect(changes.issues.map((i: Obj) => i.key).filter((k: string) => k.startsWith("gitlab:"))).toEqual([
      `gitlab:issue:${path}#3`,
    ]);

    const graph = await call("GET", `/api/entities/${encodeURIComponent(MR)}`);
    expect(graph.status).toBe(200);
    expect(graph.json.entity).toMatchObject({ key: MR, kind: "gitlab.mr", state: "merged" });
    const links = graph.json.links.map((l: Obj) => `${l.from} ${l.relation} ${l.to}`);
    expect(links).toEqual(
      expect.arrayContaining([
        `${DEPLOY} ships ${MR}`,
        `${MR} contains ${commitKey(C.merge)}`,
        `${MR} contains ${commitKey(C.c2)}`,
        `${MR} closes gitlab:issue:${path}#3`,
      ]),
    );

    const dora = await call(
      "GET",
      `/api/metrics/dora?repository=${encodeURIComponent(REPO)}&environment=production&since=${at(-1)}&until=${at(24)}`,
    );
    expect(dora.status, JSON.stringify(dora.json)).toBe(200);
    expect(dora.json.deploymentFrequency.deploys).toBe(2);
    // The MR's change: from its first commit (0.5 h) to the deploy (4 h).
    expect(dora.json.leadTimeForChanges).toEqual({ changes: 1, medianSeconds: 12_600, p90Seconds: 12_600 });
    const leadTime = await call(
      "GET",
      `/api/metrics/lead-time?repository=${encodeURIComponent(REPO)}&environment=production&since=${at(-1)}&until=${at(24)}`,
    );
    expect(leadTime.status, JSON.stringify(leadTime.json)).toBe(200);
    expect(leadTime.json.pullRequests).toEqual([
      expect.objectContaining({
        key: MR,
        repository: REPO,
        author: "root",
        firstCommitAt: at(0.5),
        openedAt: at(1),
        mergedAt: at(3),
        deploy: DEPLOY,
        stages: { coding: 1800, pickup: null, review: null, deploy: 3600 },
      }),
    ]);
  });
});
