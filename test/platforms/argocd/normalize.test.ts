import { describe, expect, it } from "vitest";
import { normalizeArgocd } from "../../../src/platforms/argocd/normalize.js";
import { argocdReceiver } from "../../../src/platforms/argocd/receiver.js";
import type { Accepted } from "../../../src/platforms/platform.js";
import type { Delivery } from "../../../src/shared/event.js";
import { argocdRequest } from "../../../kit/sign.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { rawRequest } from "../../helpers/raw-request.js";

const fixtures = loadFixtures("argocd");
type Obj = Record<string, any>;
const RECEIVED_AT = "2026-11-20T12:00:00.000Z";
const SHA = "53e28ff20cc530b9ada2173fbbd64d48338583ba";

async function normalize(payload: Obj) {
  const req = argocdRequest(payload, "s");
  const a = (await argocdReceiver(["s"]).accept(rawRequest(req))) as Accepted;
  const d: Delivery = {
    id: "00000000-0000-4000-8000-000000000002",
    platform: "argocd",
    deliveryId: a.deliveryId,
    receivedAt: RECEIVED_AT,
    contentType: "application/json",
    headers: {},
    body: req.body,
    type: a.type,
    priority: a.priority,
  };
  return normalizeArgocd(d);
}
const deployed = (over: Obj = {}) => ({ ...fixtures.deployed!.payload, ...over });

describe("Argo CD normalizer over fixtures/argocd", () => {
  it.each(Object.keys(fixtures).sort())("%s is rendered by our documented template and normalizes", async (name) => {
    const f = fixtures[name]!;
    expect(f.source).toMatch(/^docs\/senders\/argocd\.md .*argoproj\/argo-cd/);
    const e = await normalize(f.payload);
    expect(e.rows.deployment).toMatchObject({ source: "argocd", service: "guestbook", sha: SHA });
  });

  it("one sync is one deploy: running, succeeded and degraded update the same deploy id", async () => {
    const rows = await Promise.all(
      ["sync_running", "deployed", "health_degraded"].map(async (n) => (await normalize(fixtures[n]!.payload)).rows),
    );
    expect(new Set(rows.map((r) => r.deployment!.deployId))).toEqual(new Set(["guestbook@2026-11-20T10:00:00Z"]));
    expect(rows.map((r) => r.deployment!.status)).toEqual(["started", "succeeded", "failed"]);
  });

  it("maps the deployed notification onto a deployment row", async () => {
    const e = await normalize(deployed());
    expect(e.rows.deployment).toEqual({
      source: "argocd",
      deployId: "guestbook@2026-11-20T10:00:00Z",
      repository: "argoproj/argocd-example-apps",
      environment: "production",
      status: "succeeded",
      sha: SHA,
      ref: null,
      url: "https://argocd.example.com/applications/argocd/guestbook",
      service: "guestbook",
      startedAt: new Date("2026-11-20T10:00:00Z"),
      finishedAt: new Date("2026-11-20T10:04:30Z"),
    });
    expect(e.subject).toBe("deploy:argocd:guestbook@2026-11-20T10:00:00Z");
    expect(e.keys).toEqual([
      "github:repo:argoproj/argocd-example-apps",
      "deploy:argocd:guestbook@2026-11-20T10:00:00Z",
      `github:commit:argoproj/argocd-example-apps@${SHA}`,
    ]);
    // After the start, a notification happened when it came (the sync's finishedAt is shared by all of them).
    expect(e.occurredAt.toISOString()).toBe(RECEIVED_AT);
    const running = await normalize(fixtures.sync_running!.payload);
    expect(running.occurredAt.toISOString()).toBe("2026-11-20T10:00:00.000Z");
    expect(running.rows.deployment?.finishedAt).toBeNull();
  });

  it("defaults the environment to the destination namespace; a GitLab source is gitlab:group/project", async () => {
    const e = await normalize(deployed({ environment: "<no value>", repoURL: "git@gitlab.com:Acme/Infra/Apps.git" }));
    expect(e.rows.deployment).toMatchObject({ environment: "guestbook", repository: "gitlab:acme/infra/apps" });
    // GitLab's keys, as the GitLab receiver's own events name that project and commit.
    expect(e.keys).toEqual([
      "gitlab:repo:acme/infra/apps",
      "deploy:argocd:guestbook@2026-11-20T10:00:00Z",
      "gitlab:commit:acme/infra/apps@53e28ff20cc530b9ada2173fbbd64d48338583ba",
    ]);
  });

  it("stores a Helm chart version, an unknown host or a missing environment as an event with no row", async () => {
    for (const over of [
      { revision: "1.2.3", repoURL: "https://charts.example.com" },
      { repoURL: "https://git.example.com/acme/web.git" },
      { environment: "", namespace: "<no value>" },
    ]) {
      const e = await normalize(deployed(over));
      expect(e.rows, JSON.stringify(over)).toEqual({});
      expect(e.subject).toBeNull();
    }
  });

  it("keeps only an http(s) application URL", async () => {
    const e = await normalize(deployed({ url: "<no value>/applications/argocd/guestbook" }));
    expect(e.rows.deployment?.url).toBeNull();
  });
});
