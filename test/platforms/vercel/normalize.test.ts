import { describe, expect, it } from "vitest";
import { normalizeVercel } from "../../../src/platforms/vercel/normalize.js";
import type { Delivery } from "../../../src/shared/event.js";
import { loadFixtures } from "../../helpers/fixtures.js";

type Obj = Record<string, any>;
const fixtures = loadFixtures("vercel");
const RECEIVED_AT = "2026-01-01T00:00:00.000Z";

const delivery = (envelope: Obj): Delivery => ({
  id: "0190e3a0-0000-7000-8000-000000000000",
  platform: "vercel",
  deliveryId: String(envelope.id),
  receivedAt: RECEIVED_AT,
  contentType: "application/json",
  headers: {},
  body: JSON.stringify(envelope),
  type: `vercel.${envelope.type}`,
  priority: "normal",
});
const normalize = (envelope: Obj) => normalizeVercel(delivery(envelope));
/** A fixture's envelope with its deployment's Git metadata (and anything else) replaced. */
const withMeta = (name: string, meta: Obj, payload: Obj = {}) => {
  const f = structuredClone(fixtures[name]!.payload) as Obj;
  f.payload.deployment.meta = { ...f.payload.deployment.meta, ...meta };
  Object.assign(f.payload, payload);
  return f;
};
const GIT = { githubCommitOrg: "Acme", githubCommitRepo: "Web", githubCommitSha: "AB".repeat(20) };

describe("Vercel normalizer over fixtures/vercel", () => {
  it.each(Object.keys(fixtures).sort())("%s: typed, dated by createdAt, keeps the envelope", (name) => {
    const f = fixtures[name]!;
    expect(f.source).toMatch(/vercel\.com\/docs\/webhooks/);
    const e = normalize(f.payload);
    expect(e.type).toBe(`vercel.${f.payload.type}`);
    expect(e.occurredAt).toEqual(new Date(f.payload.createdAt));
    expect(e.payload).toEqual(f.payload);
    expect(e.keys).toEqual(expect.arrayContaining(e.subject ? [e.subject] : []));
  });

  it("a failed Git deploy: a deploy row of the GitHub repository, SHA, project and production target", () => {
    const e = normalize(fixtures.deployment_error!.payload);
    expect(e.subject).toBe("deploy:vercel:dpl_Epq87qycdmXrX6hHMNodXFgFsBge");
    expect(e.rows.deployment).toEqual({
      source: "vercel",
      deployId: "dpl_Epq87qycdmXrX6hHMNodXFgFsBge",
      repository: "apoorvapendse/sample-project",
      environment: "production",
      status: "failed",
      sha: "d8282fc3c718d84ee3eb331a6e7a30f0790f3b69",
      ref: "main",
      url: "https://sample-project-kmlwsgf9a-apoorvapendses-projects.vercel.app",
      service: "prj_uQnRYJu4sqQ5ycL9cGQ94LeJP9JH",
      startedAt: null,
      finishedAt: new Date(1737554483580),
    });
    expect(e.keys).toEqual([
      "github:repo:apoorvapendse/sample-project",
      "deploy:vercel:dpl_Epq87qycdmXrX6hHMNodXFgFsBge",
      "github:commit:apoorvapendse/sample-project@d8282fc3c718d84ee3eb331a6e7a30f0790f3b69",
    ]);
  });

  it("a promotion succeeded in production, whatever the target says", () => {
    const e = normalize(fixtures.deployment_promoted!.payload);
    expect(e.rows.deployment).toMatchObject({ status: "succeeded", environment: "production" });
    const staged = normalize(withMeta("deployment_promoted", {}, { target: "staging" }));
    expect(staged.rows.deployment?.environment).toBe("production");
  });

  it("maps each deployment event to its status and times; target null is a preview", () => {
    const cases: Array<[string, string, "startedAt" | "finishedAt"]> = [
      ["deployment_created", "started", "startedAt"],
      ["deployment_succeeded", "succeeded", "finishedAt"],
      ["deployment_canceled", "cancelled", "finishedAt"],
    ];
    for (const [name, status, time] of cases) {
      const f = withMeta(name, GIT);
      const d = normalize(f).rows.deployment!;
      expect(d, name).toMatchObject({ status, repository: "acme/web", sha: "ab".repeat(20) });
      expect(d[time], name).toEqual(new Date(f.createdAt));
      expect(d[time === "startedAt" ? "finishedAt" : "startedAt"], name).toBeNull();
      expect(d.service, name).toBe("prj_00000000000000000000000000");
    }
    expect(normalize(withMeta("deployment_created", GIT)).rows.deployment!.environment).toBe("preview");
    expect(normalize(withMeta("deployment_succeeded", GIT)).rows.deployment!.environment).toBe("production");
    expect(normalize(withMeta("deployment_created", GIT, { target: "staging" })).rows.deployment!.environment).toBe(
      "staging",
    );
  });

  it("the project's name serves as the service when Vercel gives no project id", () => {
    const f = withMeta("deployment_succeeded", GIT, { project: undefined });
    expect(normalize(f).rows.deployment!.service).toBe("my-app");
  });

  it("no deploy row without a GitHub repository or a full SHA; the deploy key stays", () => {
    for (const meta of [
      {},
      { ...GIT, githubCommitSha: "abc1234" },
      { ...GIT, githubCommitOrg: undefined },
      { ...GIT, githubCommitRepo: "not a repo" },
      { gitlabProjectNamespace: "acme", gitlabProjectName: "web", gitlabCommitSha: "c".repeat(40) },
    ]) {
      const e = normalize(withMeta("deployment_succeeded", { githubCommitSha: undefined, ...meta }));
      expect(e.rows, JSON.stringify(meta)).toEqual({});
      expect(e.keys).toEqual(["deploy:vercel:dpl_00000000000000000000000002"]);
    }
  });

  it("other events are stored without a deploy row or subject", () => {
    const e = normalize(fixtures.project_created!.payload);
    expect(e).toMatchObject({ type: "vercel.project.created", subject: null, keys: [], rows: {} });
  });

  it("a createdAt Vercel did not send falls back to the receipt", () => {
    const e = normalize({ id: "x", type: "domain.created", payload: {} });
    expect(e.occurredAt).toEqual(new Date(RECEIVED_AT));
  });
});
