import { describe, expect, it } from "vitest";
import { normalizeGitlab } from "../../../src/platforms/gitlab/normalize.js";
import { gitlabType } from "../../../src/platforms/gitlab/classify.js";
import type { Delivery } from "../../../src/shared/event.js";
import { loadFixtures } from "../../helpers/fixtures.js";

type Obj = Record<string, any>;
const fixtures = loadFixtures("gitlab");
const RECEIVED_AT = "2025-01-01T00:00:00.000Z";

function gitlabDelivery(event: string, payload: Obj): Delivery {
  return {
    id: "evt-1",
    platform: "gitlab",
    deliveryId: "delivery-1",
    receivedAt: RECEIVED_AT,
    contentType: "application/json",
    headers: { "x-gitlab-event": event },
    body: JSON.stringify(payload),
    type: gitlabType(event, payload),
    priority: "normal",
  };
}
const normalize = (event: string, payload: Obj) => normalizeGitlab(gitlabDelivery(event, payload));
const fixture = (name: string) => normalize(fixtures[name]!.kind, fixtures[name]!.payload);

describe("GitLab normalizer over fixtures/gitlab", () => {
  it.each(Object.keys(fixtures).sort())("%s names its documented source, repository and row", (name) => {
    expect(fixtures[name]!.source).toMatch(/webhook_events\.md/);
    const e = fixture(name);
    expect(e.type).toMatch(/^gitlab\.[a-z_]+(\.[a-z_]+)?$/);
    expect(e.rows.gitlab!.repository).toMatch(/^gitlab:[a-z0-9_.-]+\/[a-z0-9_.-]+$/);
    expect(e.keys[0]).toBe(`gitlab:repo:${e.rows.gitlab!.repository!.slice("gitlab:".length)}`);
    expect(e.keys).toContain(e.subject);
  });

  it("a merge request: its key by iid, its commits, its row", () => {
    const e = fixture("merge_request_merge");
    expect(e.type).toBe("gitlab.merge_request.merge");
    expect(e.subject).toBe("gitlab:mr:gitlabhq/gitlab-test!1");
    expect(e.keys).toEqual([
      "gitlab:repo:gitlabhq/gitlab-test",
      "gitlab:mr:gitlabhq/gitlab-test!1",
      "gitlab:commit:gitlabhq/gitlab-test@da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
      "gitlab:commit:gitlabhq/gitlab-test@bcbb5ec396a2c0f828686f14fac9b80b780504f2",
    ]);
    expect(e.rows.gitlab).toEqual({
      name: "merge_request",
      action: "merge",
      repository: "gitlab:gitlabhq/gitlab-test",
      iid: 1,
      sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
      ref: "ms-viewport",
      state: "merged",
      merged: true,
      title: "MS-Viewport",
      url: "http://example.com/diaspora/merge_requests/1",
      sender: "root",
    });
    expect(e.occurredAt).toEqual(new Date("2013-12-04T10:00:00Z"));
    expect(e.rows.deployment).toBeUndefined();
  });

  it("a push: its head commit as subject, the commits as keys, the pusher as actor", () => {
    const e = fixture("push");
    expect(e.type).toBe("gitlab.push");
    expect(e.subject).toBe("gitlab:commit:mike/diaspora@da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
    expect(e.keys).toContain("gitlab:commit:mike/diaspora@95790bf891e76fee5e1747ab589903a6a1f80f22");
    expect(e.keys).toContain("gitlab:commit:mike/diaspora@b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327");
    expect(e.actor).toBe("jsmith");
    expect(e.rows.gitlab).toMatchObject({ name: "push", ref: "refs/heads/master" });
  });

  it("a deployment: a deploy row from commit_url's full SHA, status_changed_at as its time", () => {
    const e = fixture("deployment_success");
    expect(e.subject).toBe("deploy:gitlab:15");
    expect(e.rows.deployment).toEqual({
      source: "gitlab",
      deployId: "15",
      repository: "gitlab:root/test-deployment-webhooks",
      environment: "staging",
      status: "succeeded",
      sha: "279484c09fbe69ededfced8c1bb6e6d24616b468",
      ref: null,
      url: "http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796",
      service: null,
      startedAt: null,
      finishedAt: new Date("2021-04-28T19:50:00Z"),
    });
  });

  it.each([
    ["running", "started", "startedAt"],
    ["failed", "failed", "finishedAt"],
    ["canceled", "cancelled", "finishedAt"],
  ] as const)("a deployment %s is %s", (status, expected, time) => {
    const e = normalize("Deployment Hook", { ...fixtures.deployment_success!.payload, status });
    expect(e.type).toBe(`gitlab.deployment.${status}`);
    expect(e.rows.deployment).toMatchObject({ status: expected, [time]: new Date("2021-04-28T19:50:00Z") });
  });

  it("a deployment without a full SHA keeps its keys but makes no deploy row", () => {
    const payload = { ...fixtures.deployment_success!.payload, commit_url: "http://h/root/x/-/commit/279484c0" };
    const e = normalize("Deployment Hook", payload);
    expect(e.rows.deployment).toBeUndefined();
    expect(e.keys).toEqual(["gitlab:repo:root/test-deployment-webhooks", "deploy:gitlab:15"]);
  });

  it("a pipeline is keyed to its commit and merge request, without a deploy row", () => {
    const e = fixture("pipeline_success");
    expect(e.type).toBe("gitlab.pipeline.success");
    expect(e.subject).toBe("gitlab:commit:gitlab-org/gitlab-test@bcbb5ec396a2c0f828686f14fac9b80b780504f2");
    expect(e.keys).toContain("gitlab:mr:gitlab-org/gitlab-test!1");
    expect(e.rows).toEqual({ gitlab: expect.objectContaining({ state: "success", iid: 1 }) });
  });

  it("an issue by its iid; events without a project only name nothing", () => {
    expect(fixture("issue_open").subject).toBe("gitlab:issue:gitlabhq/gitlab-test#23");
    const member = normalize("Member Hook", { event_name: "user_add_to_group", group_path: "webhook-test" });
    expect(member.type).toBe("gitlab.user_add_to_group");
    expect(member.keys).toEqual([]);
    expect(member.rows.gitlab).toMatchObject({ name: "user_add_to_group", repository: null });
  });

  it("a path beyond GitLab's bounds is no repository", () => {
    const payload = { ...fixtures.push!.payload, project: { path_with_namespace: `g/${"p".repeat(300)}` } };
    expect(normalize("Push Hook", payload).rows.gitlab!.repository).toBeNull();
  });
});
