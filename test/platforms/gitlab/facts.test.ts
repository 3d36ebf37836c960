import { describe, expect, it } from "vitest";
import { extractFacts } from "../../../src/correlate/extract-facts.js";
import { gitlabFacts } from "../../../src/platforms/gitlab/facts.js";
import { gitlabType } from "../../../src/platforms/gitlab/classify.js";
import { normalizeGitlab } from "../../../src/platforms/gitlab/normalize.js";
import type { StoredEvent } from "../../../src/shared/event.js";
import { link, mention } from "../../correlate/facts-helpers.js";
import { loadFixtures } from "../../helpers/fixtures.js";

type Obj = Record<string, any>;
const fixtures = loadFixtures("gitlab");
const REPO = "gitlab:gitlabhq/gitlab-test";
const MR = "gitlab:mr:gitlabhq/gitlab-test!1";
const HEAD = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
const MERGE = "bcbb5ec396a2c0f828686f14fac9b80b780504f2";
const commit = (sha: string, path = "gitlabhq/gitlab-test") => `gitlab:commit:${path}@${sha}`;

function stored(event: string, payload: Obj): StoredEvent {
  const e = normalizeGitlab({
    id: "evt-1",
    platform: "gitlab",
    deliveryId: "d-1",
    receivedAt: "2025-01-01T00:00:00.000Z",
    contentType: "application/json",
    headers: { "x-gitlab-event": event },
    body: JSON.stringify(payload),
    type: gitlabType(event, payload),
    priority: "normal",
  });
  return { ...e, id: "evt-1", platform: "gitlab" };
}
const facts = (event: string, payload: Obj, labels?: string[]) =>
  extractFacts(stored(event, payload), gitlabFacts, () => true, labels);
const mr = (over: Obj, top: Obj = {}) => {
  const p = structuredClone(fixtures.merge_request_merge!.payload);
  Object.assign(p.object_attributes, over);
  return Object.assign(p, top);
};

describe("GitLab merge request facts", () => {
  it("a merged MR: the PR fact by iid, head and merge commits, `Closes #N` as a GitLab issue", () => {
    const f = facts("Merge Request Hook", mr({ source_branch: "eng-42-viewport", title: "OPS-7 MS-Viewport" }));
    expect(f.scopes).toContain(`repo:${REPO}`);
    expect(f.entities).toContainEqual({
      key: MR,
      kind: "gitlab.mr",
      title: "OPS-7 MS-Viewport",
      state: "merged",
      url: "http://example.com/diaspora/merge_requests/1",
    });
    expect(f.links).toEqual(
      expect.arrayContaining([
        link(MR, commit(HEAD), "pr-head-commit"),
        link(MR, commit(MERGE), "pr-merge-commit"),
        link(MR, "gitlab:issue:gitlabhq/gitlab-test#23", "github-closing-keyword"),
      ]),
    );
    expect(f.mentions).toEqual(
      expect.arrayContaining([
        mention(MR, "linear_identifier", "ENG-42", "linear-id-in-branch"),
        mention(MR, "linear_identifier", "OPS-7", "linear-id-in-title"),
      ]),
    );
    expect(f.pullRequest).toEqual({
      key: MR,
      repository: REPO,
      number: 1,
      title: "OPS-7 MS-Viewport",
      headRef: "eng-42-viewport",
      baseRef: "master",
      headSha: HEAD,
      mergeCommitSha: MERGE,
      merged: true,
      createdAt: new Date("2013-12-03T17:23:34Z"),
      mergedAt: new Date("2013-12-04T10:00:00Z"),
      updatedAt: new Date("2013-12-04T10:00:00Z"),
      revertsByTitle: null,
      author: null, // the merger (user 1) is not the author (51)
      firstReviewAt: null,
    });
  });

  it("an open MR has no merge time; its author is known when the event's user wrote it; others' approval is a review", () => {
    const open = facts("Merge Request Hook", fixtures.merge_request_open!.payload).pullRequest!;
    expect(open).toMatchObject({ merged: false, mergedAt: null, mergeCommitSha: null, author: null });
    const byAuthor = facts("Merge Request Hook", mr({ author_id: 1, state: "opened", action: "open" })).pullRequest!;
    expect(byAuthor.author).toBe("root");
    const approved = facts("Merge Request Hook", mr({ state: "opened", action: "approved" })).pullRequest!;
    expect(approved.firstReviewAt).toEqual(new Date("2013-12-04T10:00:00Z"));
    const selfApproved = facts("Merge Request Hook", mr({ author_id: 1, state: "opened", action: "approved" }));
    expect(selfApproved.pullRequest!.firstReviewAt).toBeNull();
  });

  it("a revert MR by title; cross-project `Closes other/project#3` stays on GitLab", () => {
    const f = facts("Merge Request Hook", mr({ title: 'Revert "MS-Viewport"', description: "Closes acme/api#3" }));
    expect(f.pullRequest!.revertsByTitle).toBe("MS-Viewport");
    expect(f.links).toContainEqual(link(MR, "gitlab:issue:acme/api#3", "github-closing-keyword"));
  });
});

describe("GitLab push facts", () => {
  const push = fixtures.push!.payload;
  const A = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327";
  const B = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";

  it("commits in order, each one's parent the one before; a truncated list leaves the first parent unknown", () => {
    // The documented example lists 2 of 4 commits (total_commits_count): `before` is not the first one's parent.
    const f = facts("Push Hook", push);
    expect(f.push).toEqual({
      repository: "gitlab:mike/diaspora",
      branch: "master",
      commits: [
        { sha: A, parents: [], message: push.commits[0].message, authoredAt: new Date("2011-12-12T12:27:31Z") },
        { sha: B, parents: [A], message: "fixed readme", authoredAt: new Date("2012-01-03T21:36:29Z") },
      ],
    });
    expect(f.entities).toContainEqual(
      expect.objectContaining({ key: commit(A, "mike/diaspora"), kind: "gitlab.commit" }),
    );
    const whole = facts("Push Hook", { ...push, total_commits_count: 2 });
    expect(whole.push!.commits[0]!.parents).toEqual(["95790bf891e76fee5e1747ab589903a6a1f80f22"]);
  });

  it("a merge commit's `See merge request group/project!N` links that MR to it", () => {
    const message =
      "Merge branch 'ms-viewport' into 'master'\n\nMS-Viewport\n\nCloses #23\n\nSee merge request mike/diaspora!1";
    const commits = [{ ...push.commits[1], message }];
    const f = facts("Push Hook", { ...push, commits, total_commits_count: 1 });
    expect(f.links).toEqual(
      expect.arrayContaining([
        link("gitlab:mr:mike/diaspora!1", commit(B, "mike/diaspora"), "pr-commit-subject"),
        link(commit(B, "mike/diaspora"), "gitlab:issue:mike/diaspora#23", "github-closing-keyword"),
      ]),
    );
  });
});

describe("GitLab issue, deployment and pipeline facts", () => {
  it("an issue's labels; an incident label makes it an incident", () => {
    const plain = facts("Issue Hook", fixtures.issue_open!.payload);
    expect(plain.issueLabels).toMatchObject({ key: "gitlab:issue:gitlabhq/gitlab-test#23", labels: ["API"] });
    expect(plain.incident).toBeUndefined();
    const incident = facts("Issue Hook", fixtures.issue_open!.payload, ["api"]);
    expect(incident.incident).toMatchObject({
      key: "incident:gitlab:gitlabhq/gitlab-test#23",
      source: "gitlab",
      status: "open",
      repository: REPO,
    });
  });

  it("a deployment with a full SHA is a deploy fact on the project's repository id", () => {
    const f = facts("Deployment Hook", fixtures.deployment_success!.payload);
    expect(f.deploy).toMatchObject({
      key: "deploy:gitlab:15",
      repository: "gitlab:root/test-deployment-webhooks",
      service: "gitlab:root/test-deployment-webhooks",
      environment: "staging",
      sha: "279484c09fbe69ededfced8c1bb6e6d24616b468",
      status: "succeeded",
    });
    expect(f.links).toContainEqual(
      link(
        "deploy:gitlab:15",
        commit("279484c09fbe69ededfced8c1bb6e6d24616b468", "root/test-deployment-webhooks"),
        "deploy-sha",
      ),
    );
  });

  it("a pipeline adds only its keys' entities", () => {
    const f = facts("Pipeline Hook", fixtures.pipeline_success!.payload);
    expect(f.links).toEqual([]);
    expect(f.entities.map((e) => e.kind)).toEqual(["gitlab.repo", "gitlab.commit", "gitlab.mr"]);
  });
});
