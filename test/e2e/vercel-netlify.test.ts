import { createHmac, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { API_TOKENS, SECRETS, startTestService, useTestService, waitFor } from "../helpers/service.js";
import { githubPush } from "../../kit/payloads.js";
import { githubRequest, netlifyRequest, post, vercelRequest, type SignedRequest } from "../../kit/sign.js";
import { loadFixtures } from "../helpers/fixtures.js";

const ctx = useTestService();
const vercel = loadFixtures("vercel");
const netlify = loadFixtures("netlify");
type Obj = Record<string, any>;

const api = async (path: string) => {
  const r = await fetch(`${ctx.url}${path}`, { headers: { authorization: `Bearer ${API_TOKENS[0]}` } });
  return { status: r.status, json: (await r.json()) as any };
};
const send = async (platform: string, req: SignedRequest | Promise<SignedRequest>) => {
  const res = await post(`${ctx.url}/webhooks/${platform}`, await req);
  expect([200, 202], `${platform}: ${res.text}`).toContain(res.status);
  return res;
};
const sha = () => randomBytes(20).toString("hex");
const sha1 = (body: string) => createHmac("sha1", SECRETS.vercel[0]!).update(body).digest("hex");
const NOW = Date.now();
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000);
const window = `since=${hoursAgo(48).toISOString()}&until=${new Date(NOW + 3_600_000).toISOString()}`;

/** A push of commits `[sha, hours ago]` to main of `repo`, after `before`. */
function push(repo: string, before: string, commits: Array<[string, number]>, n: number) {
  const payload = githubPush({
    ref: "refs/heads/main",
    before,
    commits: commits.map(([id, h]) => ({
      id,
      message: `change ${id.slice(0, 7)}`,
      timestamp: hoursAgo(h).toISOString(),
      url: `https://github.com/${repo}/commit/${id}`,
    })),
    extra: { repository: { full_name: repo, default_branch: "main" }, sender: { login: "alice" } },
  });
  return githubRequest("push", payload, SECRETS.github[0]!, `push-${repo}-${n}`);
}

/** Waits until the deploy's range is worked out and returns what it shipped. */
const changesOf = (key: string, commits: number) =>
  waitFor(async () => {
    const res = await api(`/api/deploys/${encodeURIComponent(key)}/changes`);
    return res.status === 200 && res.json.rangeKnown && res.json.commits.length === commits ? res.json : null;
  }, 20_000);

describe("Vercel: a documented deployment webhook end to end", () => {
  const repo = `acme-${randomBytes(3).toString("hex")}/web`;
  const [base, b0, c1, c2] = [sha(), sha(), sha(), sha()];
  const run = randomBytes(4).toString("hex");
  /** The fixture's envelope, as Vercel sends it for a Git deploy of `repo` at `commit`. */
  const envelope = (fixture: string, deployment: string, commit: string, h: number): Obj => {
    const e = structuredClone(vercel[fixture]!.payload) as Obj;
    e.id = `uev_${run}_${deployment}_${fixture}`;
    e.createdAt = hoursAgo(h).getTime();
    e.payload.deployment.id = `dpl_${run}_${deployment}`;
    e.payload.deployment.meta = {
      ...e.payload.deployment.meta,
      githubCommitOrg: repo.split("/")[0],
      githubCommitRepo: "web",
      githubCommitSha: commit,
      githubCommitRef: "main",
    };
    return e;
  };
  const deploy = async (deployment: string, commit: string, h: number) => {
    const created = envelope("deployment_created", deployment, commit, h + 0.1);
    created.payload.target = "production";
    await send("vercel", vercelRequest(created, SECRETS.vercel[0]!));
    await send("vercel", vercelRequest(envelope("deployment_succeeded", deployment, commit, h), SECRETS.vercel[1]!));
  };

  beforeAll(async () => {
    await send("github", push(repo, base, [[b0, 5]], 1));
    await deploy("1", b0, 4.8);
    await send(
      "github",
      push(
        repo,
        b0,
        [
          [c1, 3],
          [c2, 2],
        ],
        2,
      ),
    );
    await deploy("2", c2, 1);
  }, 30_000);

  it("the deploy shows what it shipped since the previous one", async () => {
    const changes = await changesOf(`deploy:vercel:dpl_${run}_2`, 2);
    expect(changes.deploy).toMatchObject({
      key: `deploy:vercel:dpl_${run}_2`,
      repository: repo,
      environment: "production",
      status: "succeeded",
      sha: c2,
    });
    expect(changes.previous.key).toBe(`deploy:vercel:dpl_${run}_1`);
    expect(changes.commits.map((c: Obj) => c.sha).sort()).toEqual([c1, c2].sort());
  });

  it("DORA counts the deploys and their changes", async () => {
    await changesOf(`deploy:vercel:dpl_${run}_2`, 2);
    const dora = (await api(`/api/metrics/dora?repository=${repo}&${window}`)).json;
    expect(dora.deploymentFrequency.deploys).toBe(2);
    // b0 shipped 0.2 h after it was committed, c1 2 h and c2 1 h after.
    expect(dora.leadTimeForChanges).toMatchObject({ changes: 3, medianSeconds: 3_600 });
    expect(dora.changeFailureRate).toMatchObject({ deployments: 2, failures: 0 });
  });

  it("a body signed anew with the other secret is a replay", async () => {
    const again = envelope("deployment_succeeded", "2", c2, 1);
    const res = await send("vercel", vercelRequest({ ...again, id: `uev_${run}_replayed` }, SECRETS.vercel[0]!));
    expect(res.json.duplicate).toBe(false);
    const replay = await send("vercel", vercelRequest({ ...again, id: `uev_${run}_replayed` }, SECRETS.vercel[1]!));
    expect(replay).toMatchObject({ status: 200, json: { duplicate: true } });
  });

  it("refuses a bad signature (401), no signature or a non-JSON body (400) and an envelope without an id (422)", async () => {
    const req = vercelRequest(envelope("deployment_succeeded", "3", c2, 0), "not-the-secret");
    expect((await post(`${ctx.url}/webhooks/vercel`, req)).status).toBe(401);
    const unsigned = { ...req, headers: { "content-type": "application/json" } };
    // A missing header is 400, as for every receiver (contract §2).
    expect((await post(`${ctx.url}/webhooks/vercel`, unsigned)).status).toBe(400);
    const bad = vercelRequest({ type: "deployment.created", payload: {} }, SECRETS.vercel[0]!);
    expect((await post(`${ctx.url}/webhooks/vercel`, bad)).status).toBe(422);
    const signedNotJson = { body: "{", headers: { ...bad.headers, "x-vercel-signature": sha1("{") } };
    expect((await post(`${ctx.url}/webhooks/vercel`, signedNotJson)).status).toBe(400);
  });
});

describe("Netlify: documented deploy notifications end to end", () => {
  const repo = `acme-${randomBytes(3).toString("hex")}/site`;
  const [base, b0, c1, c2] = [sha(), sha(), sha(), sha()];
  const run = randomBytes(4).toString("hex");
  /** The fixture's deploy, as Netlify sends it for a Git deploy of `repo` at `commit`. */
  const deployBody = (fixture: string, deployment: string, commit: string, h: number): Obj => ({
    ...netlify[fixture]!.payload,
    id: `${run}${deployment}`,
    commit_ref: commit,
    commit_url: `https://github.com/${repo}/commit/${commit}`,
    created_at: hoursAgo(h + 0.1).toISOString(),
    updated_at: hoursAgo(h).toISOString(),
    published_at: fixture === "deploy_created" ? hoursAgo(h).toISOString() : null,
  });
  const deploy = async (deployment: string, commit: string, h: number, outcome: "deploy_created" | "deploy_failed") => {
    const building = deployBody("deploy_building", deployment, commit, h + 0.05);
    await send("netlify", netlifyRequest("deploy_building", building, SECRETS.netlify[0]!));
    const done = deployBody(outcome, deployment, commit, h);
    await send("netlify", netlifyRequest(outcome, done, SECRETS.netlify[1]!));
  };

  beforeAll(async () => {
    await send("github", push(repo, base, [[b0, 5]], 1));
    await deploy("1", b0, 4.8, "deploy_created");
    await send(
      "github",
      push(
        repo,
        b0,
        [
          [c1, 3],
          [c2, 2],
        ],
        2,
      ),
    );
    await deploy("2", c2, 1.5, "deploy_failed");
    await deploy("3", c2, 1, "deploy_created");
  }, 30_000);

  it("the deploy shows what it shipped since the previous successful one", async () => {
    const changes = await changesOf(`deploy:netlify:${run}3`, 2);
    expect(changes.deploy).toMatchObject({
      repository: repo,
      environment: "production",
      status: "succeeded",
      sha: c2,
    });
    expect(changes.previous.key).toBe(`deploy:netlify:${run}1`);
    expect(changes.commits.map((c: Obj) => c.sha).sort()).toEqual([c1, c2].sort());
  });

  it("DORA counts the successful deploys and the failed one", async () => {
    await changesOf(`deploy:netlify:${run}3`, 2);
    const dora = (await api(`/api/metrics/dora?repository=${repo}&${window}`)).json;
    expect(dora.deploymentFrequency.deploys).toBe(2);
    expect(dora.changeFailureRate).toMatchObject({ deployments: 3, failures: 1 });
  });

  it("the same body under another event name is a replay; a lock is stored without a deploy", async () => {
    const body = deployBody("deploy_created", "3", c2, 1);
    const replay = await send("netlify", netlifyRequest("deploy_failed", body, SECRETS.netlify[0]!));
    expect(replay).toMatchObject({ status: 200, json: { duplicate: true } });
    const lock = await send("netlify", netlifyRequest("deploy_locked", { ...body, locked: true }, SECRETS.netlify[0]!));
    expect(lock.status).toBe(202);
    const event = await waitFor(async () => {
      const res = await api(`/api/events/${lock.json.id}`);
      return res.status === 200 ? res.json : null;
    });
    expect(event.event).toMatchObject({ type: "netlify.deploy_locked", subject: `deploy:netlify:${run}3` });
    expect(event.rows).toEqual({});
    expect(Object.keys(event.raw.headers)).not.toContain("x-webhook-signature");
  });

  it("refuses a token of another issuer or body (401) and a deploy without an id (422)", async () => {
    const body = deployBody("deploy_created", "4", c2, 0);
    for (const claims of [{ iss: "someone" }, { sha256: "0".repeat(64) }]) {
      const req = netlifyRequest("deploy_created", body, SECRETS.netlify[0]!, claims);
      expect((await post(`${ctx.url}/webhooks/netlify`, req)).status, JSON.stringify(claims)).toBe(401);
    }
    const { id: _id, ...noId } = body;
    expect(
      (await post(`${ctx.url}/webhooks/netlify`, netlifyRequest("deploy_created", noId, SECRETS.netlify[0]!))).status,
    ).toBe(422);
  });
});

describe("not configured", () => {
  it("answers 503 for Vercel and Netlify without a secret", async () => {
    const bare = await startTestService({ VERCEL_WEBHOOK_SECRET: "", NETLIFY_WEBHOOK_SECRET: "", ROLE: "web" });
    try {
      const v = await post(`${bare.url}/webhooks/vercel`, vercelRequest(vercel.deployment_error!.payload, "any"));
      expect(v).toMatchObject({ status: 503, json: { error: "vercel receiver not configured" } });
      const n = await post(
        `${bare.url}/webhooks/netlify`,
        netlifyRequest("deploy_created", netlify.deploy_created!.payload, "any"),
      );
      expect(n).toMatchObject({ status: 503, json: { error: "netlify receiver not configured" } });
    } finally {
      await bare.service.close();
    }
  });
});
