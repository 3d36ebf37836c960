import { describe, expect, it } from "vitest";
import { normalizeCircleci, pipelineSource } from "../../../src/platforms/circleci/normalize.js";
import { circleciReceiver } from "../../../src/platforms/circleci/receiver.js";
import { parseDeployWorkflows } from "../../../src/platforms/circleci/deploy-workflows.js";
import type { Accepted } from "../../../src/platforms/platform.js";
import type { Delivery } from "../../../src/shared/event.js";
import { circleciRequest } from "../../../kit/sign.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { rawRequest } from "../../helpers/raw-request.js";

const fixtures = loadFixtures("circleci");
type Obj = Record<string, any>;
const RECEIVED_AT = "2026-11-20T12:00:00.000Z";

/** Received as the service would (type decided by the receiver with `setting`), then normalized. */
async function normalize(payload: Obj, setting = "*deploy*=production") {
  const req = circleciRequest(payload, "s");
  const a = (await circleciReceiver(["s"], parseDeployWorkflows(setting)).accept(rawRequest(req))) as Accepted;
  const d: Delivery = {
    id: "00000000-0000-4000-8000-000000000001",
    platform: "circleci",
    deliveryId: a.deliveryId,
    receivedAt: RECEIVED_AT,
    contentType: "application/json",
    headers: {},
    body: req.body,
    type: a.type,
    priority: a.priority,
  };
  return normalizeCircleci(d);
}
const github = () => structuredClone(fixtures.workflow_completed_github!.payload) as Obj;
const withWorkflow = (over: Obj) => {
  const p = github();
  p.workflow = { ...p.workflow, ...over };
  return p;
};

describe("CircleCI normalizer over fixtures/circleci", () => {
  it.each(Object.keys(fixtures).sort())("%s follows the CircleCI docs and normalizes", async (name) => {
    const f = fixtures[name]!;
    expect(f.source).toMatch(/^https:\/\/github\.com\/circleci\/circleci-docs\/.*webhooks-reference\.adoc/);
    const e = await normalize(f.payload);
    expect(e.type.startsWith(`circleci.${f.payload.type}`)).toBe(true);
    expect(e.payload).toEqual(f.payload);
  });

  it("a deploy workflow (GitHub OAuth sample) makes a deployment row from vcs", async () => {
    const e = await normalize(github());
    expect(e.type).toBe("circleci.workflow-completed.deploy.production");
    expect(e.rows.deployment).toEqual({
      source: "circleci",
      deployId: "fda08377-fe7e-46b1-8992-3a7aaecac9c3",
      repository: "circleci/webhook-service",
      environment: "production",
      status: "succeeded",
      sha: "1dc6aa69429bff4806ad6afe58d3d8f57e25973e",
      ref: "main",
      url: "https://app.circleci.com/pipelines/github/circleci/webhook-service/130/workflows/fda08377-fe7e-46b1-8992-3a7aaecac9c3",
      service: "github/circleci/webhook-service",
      startedAt: new Date("2021-09-01T22:49:03.616Z"),
      finishedAt: new Date("2021-09-01T22:49:34.170Z"),
    });
    expect(e.subject).toBe("deploy:circleci:fda08377-fe7e-46b1-8992-3a7aaecac9c3");
    expect(e.keys).toEqual([
      "github:repo:circleci/webhook-service",
      "deploy:circleci:fda08377-fe7e-46b1-8992-3a7aaecac9c3",
      "github:commit:circleci/webhook-service@1dc6aa69429bff4806ad6afe58d3d8f57e25973e",
    ]);
    expect(e.occurredAt.toISOString()).toBe("2021-09-01T22:49:34.170Z");
  });

  it("maps every terminal workflow status; an unknown one makes no row", async () => {
    const cases: Array<[string, string | undefined]> = [
      ["success", "succeeded"],
      ["failed", "failed"],
      ["error", "failed"],
      ["canceled", "cancelled"],
      ["unauthorized", "cancelled"],
      ["on_hold", undefined],
      ["running", undefined],
    ];
    for (const [status, expected] of cases) {
      expect((await normalize(withWorkflow({ status }))).rows.deployment?.status, status).toBe(expected);
    }
  });

  it("takes the environment from the setting at receipt: another setting, another environment or none", async () => {
    const p = withWorkflow({ name: "deploy-eu" });
    expect((await normalize(p, "deploy-eu=production-eu")).rows.deployment?.environment).toBe("production-eu");
    const plain = await normalize(p, "release*");
    expect(plain.type).toBe("circleci.workflow-completed");
    expect(plain.rows).toEqual({});
    expect(plain.subject).toBeNull();
    // The commit is still named: a non-deploy workflow is evidence about the commit, not a deploy.
    expect(plain.keys).toContain("github:commit:circleci/webhook-service@1dc6aa69429bff4806ad6afe58d3d8f57e25973e");
  });

  it("reads the GitLab / GitHub App shape from trigger_parameters; a GitLab project is gitlab:group/project", async () => {
    const p = structuredClone(fixtures.workflow_completed_gitlab!.payload) as Obj;
    expect(pipelineSource(p.pipeline)).toEqual({
      repository: "gitlab:circleci/hello-world",
      sha: "850a1519f25d14e968649cc420d1bd381715c05c",
      ref: "main",
    });
    p.workflow.name = "deploy";
    const e = await normalize(p);
    expect(e.rows.deployment).toMatchObject({ repository: "gitlab:circleci/hello-world", status: "failed" });
    expect(e.keys).toEqual([
      "gitlab:repo:circleci/hello-world",
      "deploy:circleci:c2006ece-778d-49fc-9e6e-b9965f72bee9",
      "gitlab:commit:circleci/hello-world@850a1519f25d14e968649cc420d1bd381715c05c",
    ]);
    // GitHub App: the git map names a github.com checkout URL.
    const app = {
      trigger_parameters: {
        git: { checkout_url: "git@github.com:Acme/Web.git", checkout_sha: "A".repeat(40), branch: "main" },
        circleci: { trigger_type: "github_app" },
      },
    };
    expect(pipelineSource(app)).toEqual({ repository: "acme/web", sha: "a".repeat(40), ref: "main" });
  });

  it("stores a deploy without a repository or full SHA as an event with no row", async () => {
    const noSha = github();
    noSha.pipeline.vcs.revision = "1dc6aa6";
    expect((await normalize(noSha)).rows).toEqual({});
    const bitbucket = github();
    bitbucket.pipeline.vcs.origin_repository_url = "https://bitbucket.org/acme/web";
    bitbucket.pipeline.vcs.target_repository_url = "https://bitbucket.org/acme/web";
    const e = await normalize(bitbucket);
    expect(e.rows).toEqual({});
    expect(e.keys).toEqual([]);
  });

  it("names the repository building the commit, not a fork's origin", async () => {
    const fork = github();
    fork.pipeline.vcs.origin_repository_url = "https://github.com/someone/webhook-service";
    expect((await normalize(fork)).rows.deployment?.repository).toBe("circleci/webhook-service");
  });

  it("a job-completed is stored as an event with no deploy row", async () => {
    const e = await normalize(fixtures.job_completed_github!.payload);
    expect(e.type).toBe("circleci.job-completed");
    expect(e.rows).toEqual({});
    expect(e.occurredAt.toISOString()).toBe("2021-09-01T22:49:34.170Z");
  });
});
