import { describe, expect, it } from "vitest";
import { repositoryFromCommitUrl } from "../../../src/platforms/repository-url.js";
import { normalizeNetlify } from "../../../src/platforms/netlify/normalize.js";
import type { Delivery } from "../../../src/shared/event.js";
import { loadFixtures } from "../../helpers/fixtures.js";

type Obj = Record<string, any>;
const fixtures = loadFixtures("netlify");
const RECEIVED_AT = "2026-01-01T00:00:00.000Z";
const SHA = "9f2b4c1d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c";

const delivery = (event: string, deploy: Obj): Delivery => ({
  id: "0190e3a0-0000-7000-8000-000000000000",
  platform: "netlify",
  deliveryId: `${deploy.id}:${event}`,
  receivedAt: RECEIVED_AT,
  contentType: "application/json",
  headers: { "x-netlify-event": event },
  body: JSON.stringify(deploy),
  type: `netlify.${event}`,
  priority: "normal",
});
const normalize = (event: string, deploy: Obj) => normalizeNetlify(delivery(event, deploy));
/** A fixture's deploy as a Git deploy of `Acme/Web` (the fixtures are deploys without Git). */
const git = (name: string, over: Obj = {}) => ({
  ...fixtures[name]!.payload,
  commit_ref: SHA,
  commit_url: `https://github.com/Acme/Web/commit/${SHA}`,
  ...over,
});

describe("Netlify normalizer over fixtures/netlify", () => {
  it.each(Object.keys(fixtures).sort())("%s: typed, dated by updated_at, about its deploy", (name) => {
    const f = fixtures[name]!;
    expect(f.source).toMatch(/docs\.netlify\.com\/site-deploys/);
    const e = normalize(f.kind, f.payload);
    expect(e.type).toBe(`netlify.${name}`);
    expect(e.occurredAt).toEqual(new Date(f.payload.updated_at));
    expect(e.subject).toBe(`deploy:netlify:${f.payload.id}`);
    expect(e.payload).toEqual(f.payload);
    // The documented examples are deploys without Git (commit_ref null): no deploy row.
    expect(e.rows).toEqual({});
  });

  it("a succeeded Git deploy: a deploy row of the repository, SHA, context and site", () => {
    const e = normalize("deploy_created", git("deploy_created"));
    expect(e.rows.deployment).toEqual({
      source: "netlify",
      deployId: "5b78192ac9659217dbf7c9aa",
      repository: "acme/web",
      environment: "production",
      status: "succeeded",
      sha: SHA,
      ref: "master",
      url: "https://5b78192ac9659217dbf7c9aa--objective-jepsen-35fbb2.netlify.com",
      service: "573f11b2-f5f3-481f-a1f8-85feb457ff49",
      startedAt: new Date("2018-08-18T13:03:38.315Z"),
      finishedAt: new Date("2018-08-18T13:03:42.462Z"),
    });
    expect(e.keys).toEqual([
      "github:repo:acme/web",
      "deploy:netlify:5b78192ac9659217dbf7c9aa",
      `github:commit:acme/web@${SHA}`,
    ]);
  });

  it("building is started, failed finishes at its update; locks make no row", () => {
    expect(normalize("deploy_building", git("deploy_building")).rows.deployment).toMatchObject({
      status: "started",
      startedAt: new Date("2018-08-18T13:03:38.315Z"),
      finishedAt: null,
    });
    expect(normalize("deploy_failed", git("deploy_failed")).rows.deployment).toMatchObject({
      status: "failed",
      finishedAt: new Date("2018-08-03T22:30:27.734Z"),
    });
    for (const event of ["deploy_locked", "deploy_unlocked", "deploy_restored"]) {
      const e = normalize(event, git("deploy_locked"));
      expect(e.rows, event).toEqual({});
      expect(e.keys, event).toEqual(["deploy:netlify:5b64d2c3792f8946ae9ddc8b"]);
    }
  });

  it("the deploy context is the environment", () => {
    for (const context of ["deploy-preview", "branch-deploy", "production"]) {
      expect(normalize("deploy_created", git("deploy_created", { context })).rows.deployment!.environment).toBe(
        context,
      );
    }
  });

  it("no deploy row without a full SHA, a known repository or a context", () => {
    for (const over of [
      { commit_ref: "9f2b4c1" },
      { commit_ref: null },
      { commit_url: null },
      { commit_url: `https://bitbucket.org/acme/web/commits/${SHA}` },
      { context: null },
    ]) {
      expect(normalize("deploy_created", git("deploy_created", over)).rows, JSON.stringify(over)).toEqual({});
    }
  });

  it("a GitLab commit URL gives the GitLab repository id and GitLab's keys", () => {
    const e = normalize(
      "deploy_created",
      git("deploy_created", { commit_url: `https://gitlab.com/Acme/Platform/Web/-/commit/${SHA}` }),
    );
    expect(e.rows.deployment?.repository).toBe("gitlab:acme/platform/web");
    expect(e.keys).toEqual([
      "gitlab:repo:acme/platform/web",
      "deploy:netlify:5b78192ac9659217dbf7c9aa",
      `gitlab:commit:acme/platform/web@${SHA}`,
    ]);
  });
});

describe("repositoryFromCommitUrl", () => {
  it("reads GitHub and GitLab commit URLs, nothing else", () => {
    expect(repositoryFromCommitUrl(`https://github.com/Acme/web.site/commit/${SHA}`)).toBe("acme/web.site");
    expect(repositoryFromCommitUrl(`https://gitlab.com/acme/web/commit/${SHA}`)).toBe("gitlab:acme/web");
    expect(repositoryFromCommitUrl(`https://gitlab.example.com/group/sub/app/-/commit/${SHA}`)).toBe(
      "gitlab:group/sub/app",
    );
    for (const other of [
      null,
      42,
      `https://github.com/acme/web/pull/7`,
      `https://github.com/acme/web/commit/${SHA}/../../evil`,
      `https://evilgithub.com/acme/web/commit/${SHA}`,
      `https://git.example.com/acme/web/commit/${SHA}`,
    ]) {
      expect(repositoryFromCommitUrl(other), String(other)).toBeNull();
    }
  });
});
