import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFixtures } from "../helpers/fixtures.js";
import { checkAnswer } from "../helpers/answers.js";
import { API_TOKENS, SECRETS, startTestService, useTestService, waitFor } from "../helpers/service.js";
import { argocdRequest, circleciRequest, githubRequest, post, type SignedRequest } from "../../kit/sign.js";
import { githubPush, type Commit } from "../../kit/payloads.js";

const LIMITS = { circleci: 8192, argocd: 4096 };
const ctx = useTestService({
  WEBHOOK_MAX_BYTES_CIRCLECI: String(LIMITS.circleci),
  WEBHOOK_MAX_BYTES_ARGOCD: String(LIMITS.argocd),
  CIRCLECI_DEPLOY_WORKFLOWS: "deploy-staging=staging,*deploy*=production",
});
const cci = loadFixtures("circleci");
const argo = loadFixtures("argocd");
type Obj = Record<string, any>;

const api = async (path: string) => {
  const r = await fetch(`${ctx.url}/api${path}`, { headers: { authorization: `Bearer ${API_TOKENS[0]}` } });
  const json = (await r.json()) as Obj;
  checkAnswer("GET", `/api${path}`, r.status, json);
  return { status: r.status, json };
};
const storedEvent = (id: string) =>
  waitFor(async () => {
    const { status, json } = await api(`/events/${id}`);
    return status === 200 ? json : null;
  });
const send = async (platform: "circleci" | "argocd" | "github", req: SignedRequest) => {
  const res = await post(`${ctx.url}/webhooks/${platform}`, req);
  return res;
};
const accepted = async (platform: "circleci" | "argocd" | "github", req: SignedRequest) => {
  const res = await send(platform, req);
  expect(res.status, res.text).toBe(202);
  return storedEvent(res.json.id);
};
const changes = async (key: string) =>
  waitFor(async () => {
    const res = await api(`/deploys/${encodeURIComponent(key)}/changes`);
    return res.status === 200 ? res.json : null;
  });
/** A push of `shas` (oldest first) to main of `repo`, the commits dated `at`. */
const push = (repo: string, before: string, shas: string[], at: string, id: string) => {
  const commits: Commit[] = shas.map((sha, i) => ({
    id: sha,
    message: `change ${i}`,
    timestamp: at,
    url: `https://github.com/${repo}/commit/${sha}`,
  }));
  const [owner, name] = repo.split("/");
  const payload = githubPush({ ref: "refs/heads/main", before, commits });
  return githubRequest(
    "push",
    { ...payload, repository: { full_name: repo, name, owner: { login: owner } }, sender: { login: "alice" } },
    SECRETS.github[0]!,
    id,
  );
};

describe("POST /webhooks/circleci: the documented workflow-completed, end to end", () => {
  const repo = "circleci/webhook-service";
  const doc = cci.workflow_completed_github!.payload as Obj;
  const shipped = doc.pipeline.vcs.revision as string; // 1dc6aa69…
  const base = "b".repeat(40);
  const middle = "c".repeat(40);
  /** The documented deploy, one earlier: the baseline of commit `base`. */
  const baseline = structuredClone(doc);
  baseline.id = "0f0a7c52-1111-4d2c-9c52-000000000001";
  baseline.workflow.id = "0f0a7c52-2222-4d2c-9c52-000000000002";
  baseline.workflow.created_at = "2021-09-01T20:00:00.000Z";
  baseline.workflow.stopped_at = "2021-09-01T20:05:00.000Z";
  baseline.pipeline.vcs.revision = base;

  beforeAll(async () => {
    await accepted("github", await push(repo, "0".repeat(40), [base], "2021-09-01T19:00:00Z", "cci-push-1"));
    await accepted("circleci", circleciRequest(baseline, SECRETS.circleci[0]!));
    await accepted("github", await push(repo, base, [middle, shipped], "2021-09-01T21:00:00Z", "cci-push-2"));
  }, 30_000);

  it("stores it raw and as a production deploy of the pushed commit, showing what it shipped", async () => {
    // CircleCI rotating: two signatures, one under our previous secret.
    const req = circleciRequest(doc, ["not-ours", SECRETS.circleci[1]!]);
    const { event, rows, raw } = await accepted("circleci", req);
    expect(event).toMatchObject({
      platform: "circleci",
      type: "circleci.workflow-completed.deploy.production",
      deliveryId: doc.id,
      priority: "high",
      subject: `deploy:circleci:${doc.workflow.id}`,
    });
    expect(rows.deployment).toMatchObject({
      source: "circleci",
      repository: repo,
      environment: "production",
      status: "succeeded",
      sha: shipped,
      service: "github/circleci/webhook-service",
    });
    expect(raw.body).toBe(JSON.stringify(doc));
    expect(raw.headers["circleci-event-type"]).toBe("workflow-completed");
    expect(Object.keys(raw.headers).filter((h) => /signature/.test(h))).toEqual([]);

    const c = await changes(`deploy:circleci:${doc.workflow.id}`);
    expect(c.deploy).toMatchObject({ repository: repo, environment: "production", sha: shipped, status: "succeeded" });
    expect(c.previous.key).toBe(`deploy:circleci:${baseline.workflow.id}`);
    expect(c.rangeKnown).toBe(true);
    expect(c.commits.map((x: Obj) => x.sha).sort()).toEqual([middle, shipped].sort());
  });

  it("is counted by DORA; non-deploy workflows and jobs are not", async () => {
    const window = "since=2021-09-01T00:00:00Z&until=2021-09-02T00:00:00Z";
    const dora = async () => (await api(`/metrics/dora?repository=${repo}&${window}`)).json;
    await waitFor(async () => (await dora()).deploymentFrequency.deploys === 2);
    // A build workflow of the same commit, and a job of it: events, no deploy.
    const build = structuredClone(doc);
    build.id = "0f0a7c52-3333-4d2c-9c52-000000000003";
    build.workflow = { ...build.workflow, id: "0f0a7c52-4444-4d2c-9c52-000000000004", name: "build-test" };
    const plain = await accepted("circleci", circleciRequest(build, SECRETS.circleci[0]!));
    expect(plain.event).toMatchObject({ type: "circleci.workflow-completed", priority: "normal", subject: null });
    expect(plain.rows.deployment ?? null).toBeNull();
    const job = await accepted("circleci", circleciRequest(cci.job_completed_github!.payload, SECRETS.circleci[0]!));
    expect(job.event).toMatchObject({ type: "circleci.job-completed", priority: "low" });
    expect(job.rows.deployment ?? null).toBeNull();
    const gitlab = await accepted(
      "circleci",
      circleciRequest(cci.workflow_completed_gitlab!.payload, SECRETS.circleci[0]!),
    );
    expect(gitlab.event.type).toBe("circleci.workflow-completed");
    expect(gitlab.rows.deployment ?? null).toBeNull();
    const after = await dora();
    expect(after.deploymentFrequency.deploys).toBe(2);
    expect(after.changeFailureRate).toMatchObject({ deployments: 2, failures: 0 });
  });

  it("the setting names the environment: deploy-staging goes to staging, not production", async () => {
    const staging = structuredClone(doc);
    staging.id = "0f0a7c52-5555-4d2c-9c52-000000000005";
    staging.workflow = { ...staging.workflow, id: "0f0a7c52-6666-4d2c-9c52-000000000006", name: "deploy-staging" };
    const { event, rows } = await accepted("circleci", circleciRequest(staging, SECRETS.circleci[0]!));
    expect(event.type).toBe("circleci.workflow-completed.deploy.staging");
    expect(rows.deployment).toMatchObject({ environment: "staging", sha: shipped });
  });

  it("dedupes a redelivery (under either secret) and refuses bad requests", async () => {
    const again = await send("circleci", circleciRequest(doc, SECRETS.circleci[0]!));
    expect(again).toMatchObject({ status: 200, json: { duplicate: true } });
    const renamed = await send("circleci", circleciRequest({ ...doc, id: "new-id" }, SECRETS.circleci[0]!));
    expect(renamed.status).toBe(202); // another body: a new delivery
    const req = circleciRequest(doc, SECRETS.circleci[0]!);
    expect((await send("circleci", { ...req, body: req.body.replace("success", "failed") })).status).toBe(401);
    const { "circleci-signature": _, ...unsigned } = req.headers;
    expect((await send("circleci", { ...req, headers: unsigned })).status).toBe(400);
    const big = { ...doc, id: "big", padding: "x".repeat(LIMITS.circleci) };
    expect((await send("circleci", circleciRequest(big, SECRETS.circleci[0]!))).status).toBe(413);
    expect((await send("circleci", circleciRequest({ ...doc, id: 5 }, SECRETS.circleci[0]!))).status).toBe(422);
  });
});

describe("POST /webhooks/argocd: our template's notifications, end to end", () => {
  const repo = "argoproj/argocd-example-apps";
  const deployed = argo.deployed!.payload as Obj;
  const sha = deployed.revision as string;
  const base = "d".repeat(40);
  const key = `deploy:argocd:guestbook@${deployed.startedAt}`;

  beforeAll(async () => {
    await accepted("github", await push(repo, "0".repeat(40), [base, sha], "2026-11-20T09:00:00Z", "argo-push-1"));
  }, 30_000);

  it("running then deployed: one deploy, started then succeeded, with its commits; DORA counts it", async () => {
    const running = await accepted("argocd", argocdRequest(argo.sync_running!.payload, SECRETS.argocd[0]!, "basic"));
    expect(running.event).toMatchObject({ platform: "argocd", type: "argocd.deploy.started", subject: key });
    expect(Object.keys(running.raw.headers)).not.toContain("authorization");
    const done = await accepted("argocd", argocdRequest(deployed, SECRETS.argocd[1]!, "bearer"));
    expect(done.event).toMatchObject({ type: "argocd.deploy.succeeded", deliveryId: deployed.id, subject: key });
    expect(done.rows.deployment).toMatchObject({
      source: "argocd",
      repository: repo,
      environment: "production",
      service: "guestbook",
      status: "succeeded",
      sha,
    });
    const c = await waitFor(async () => {
      const x = await changes(key);
      return x.deploy.status === "succeeded" ? x : null;
    });
    expect(c.commits.map((x: Obj) => x.sha)).toContain(sha);
    const window = "since=2026-11-19T00:00:00Z&until=2026-11-21T00:00:00Z";
    const dora = (await api(`/metrics/dora?repository=${repo}&${window}`)).json;
    expect(dora.deploymentFrequency.deploys).toBe(1);
  });

  it("dedupes by the body's id only, and refuses bad requests", async () => {
    const again = await send("argocd", argocdRequest(argo.deployed!.payload, SECRETS.argocd[0]!));
    expect(again).toMatchObject({ status: 200, json: { duplicate: true } });
    const req = argocdRequest(deployed, SECRETS.argocd[0]!);
    expect((await send("argocd", { ...req, headers: { ...req.headers, authorization: "Bearer nope" } })).status).toBe(
      401,
    );
    const { authorization: _, ...anonymous } = req.headers;
    expect((await send("argocd", { ...req, headers: anonymous })).status).toBe(400);
    const off = await send("argocd", argocdRequest({ ...deployed, id: "x-1", phase: "Done" }, SECRETS.argocd[0]!));
    expect(off.status).toBe(422);
    expect(off.json.error).toMatch(/phase/);
    const big = { ...deployed, id: "x-2", project: "p".repeat(LIMITS.argocd) };
    expect((await send("argocd", argocdRequest(big, SECRETS.argocd[0]!))).status).toBe(413);
  });
});

describe("unconfigured CircleCI and Argo CD receivers", () => {
  let url = "";
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const svc = await startTestService({ CIRCLECI_WEBHOOK_SECRET: "", ARGOCD_WEBHOOK_SECRET: "" });
    url = svc.url;
    close = () => svc.service.close();
  });
  afterAll(() => close?.());

  it("answer 503 until their secret is set", async () => {
    const responses = [
      await post(`${url}/webhooks/circleci`, circleciRequest(cci.workflow_completed_github!.payload, "x")),
      await post(`${url}/webhooks/argocd`, argocdRequest(argo.deployed!.payload, "x")),
    ];
    for (const res of responses) {
      expect(res.status).toBe(503);
      expect(res.json.error).toMatch(/not configured/);
    }
  });
});
