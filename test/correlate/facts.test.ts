// The facts each platform's events give correlation: GitHub here; the other platforms and rule switches in
// facts-platforms.test.ts, shared builders in facts-helpers.ts.
import { describe, expect, it } from "vitest";
import type { Facts } from "../../src/correlate/facts.js";
import {
  type Obj,
  HEAD,
  MERGE,
  BEFORE,
  C1,
  C2,
  ZERO,
  REPO,
  PR7,
  commitKey,
  github,
  facts,
  link,
  mention,
  pullRequest,
} from "./facts-helpers.js";

describe("GitHub pull requests", () => {
  it("an opened PR contains its head commit and mentions identifiers of its branch and title", () => {
    const f = facts(github("pull_request", pullRequest()));
    expect(f.links).toEqual([link(PR7, commitKey(HEAD), "pr-head-commit")]);
    expect(f.mentions).toEqual(
      expect.arrayContaining([
        mention(PR7, "linear_identifier", "OPS-7", "linear-id-in-branch"),
        mention(PR7, "linear_identifier", "ENG-42", "linear-id-in-title"),
      ]),
    );
    expect(f.mentions).toHaveLength(2);
    expect(f.scopes).toEqual(["repo:acme/web"]);
    // Teams only mentioned, not seen: taken shared.
    expect(f.sharedScopes.sort()).toEqual(["team:ENG", "team:OPS"]);
    expect(f.pullRequest).toMatchObject({ key: PR7, repository: REPO, number: 7, headSha: HEAD, merged: false });
    expect(f.pullRequest?.mergedAt).toBeNull();
    expect(f.entities).toContainEqual(
      expect.objectContaining({ key: PR7, kind: "github.pr", title: "ENG-42 Fix checkout timeout" }),
    );
  });

  it("a merged PR contains its merge commit too", () => {
    const p = pullRequest(
      {
        state: "closed",
        merged: true,
        merged_at: "2025-01-02T10:00:00Z",
        closed_at: "2025-01-02T10:00:00Z",
        merge_commit_sha: MERGE,
      },
      "closed",
    );
    const f = facts(github("pull_request", p));
    expect(f.links).toEqual(
      expect.arrayContaining([
        link(PR7, commitKey(HEAD), "pr-head-commit"),
        link(PR7, commitKey(MERGE), "pr-merge-commit"),
      ]),
    );
    expect(f.pullRequest).toMatchObject({ merged: true, mergeCommitSha: MERGE });
    expect(f.pullRequest?.mergedAt?.toISOString()).toBe("2025-01-02T10:00:00.000Z");
    expect(f.entities).toContainEqual(expect.objectContaining({ key: PR7, state: "merged" }));
  });

  it("a PR closed unmerged has no merge-commit link (its merge_commit_sha is a test merge)", () => {
    const p = pullRequest({ state: "closed", closed_at: "2025-01-02T10:00:00Z", merge_commit_sha: MERGE }, "closed");
    const f = facts(github("pull_request", p));
    expect(f.links.filter((l) => l.rule === "pr-merge-commit")).toEqual([]);
  });

  it("a review of a merged PR (merged_at only) contains the merge commit", () => {
    const p = pullRequest(
      { merged: undefined, merged_at: "2025-01-02T10:00:00Z", merge_commit_sha: MERGE },
      "submitted",
    );
    p.review = { state: "approved", commit_id: HEAD, submitted_at: "2025-01-02T11:00:00Z" };
    const f = facts(github("pull_request_review", p));
    expect(f.links).toContainEqual(link(PR7, commitKey(MERGE), "pr-merge-commit"));
  });

  it("a review by someone other than the author is the PR's first review; the author's own is not", () => {
    const p = pullRequest({ user: { login: "alice" } }, "submitted");
    p.review = { state: "approved", user: { login: "bob" }, submitted_at: "2025-01-01T12:00:00Z" };
    const byBob = facts(github("pull_request_review", p)).pullRequest;
    expect(byBob?.author).toBe("alice");
    expect(byBob?.firstReviewAt?.toISOString()).toBe("2025-01-01T12:00:00.000Z");
    p.review = { ...p.review, user: { login: "alice" } };
    expect(facts(github("pull_request_review", p)).pullRequest?.firstReviewAt).toBeNull();
    p.review = { ...p.review, user: { login: "bob" }, state: "pending" };
    expect(facts(github("pull_request_review", p)).pullRequest?.firstReviewAt).toBeNull();
    // A pull_request event carries no review, whatever else it holds.
    const opened = facts(github("pull_request", { ...pullRequest({ user: { login: "alice" } }), review: p.review }));
    expect(opened.pullRequest).toMatchObject({ author: "alice", firstReviewAt: null });
  });

  it("reads the PR body: magic words, Linear URLs, GitHub closing keywords, reverts", () => {
    const body = [
      "Fixes ENG-9",
      "See https://linear.app/acme/issue/ENG-10/slow",
      "closes #12",
      "Reverts acme/web#5",
    ].join("\n");
    const f = facts(
      github(
        "pull_request",
        pullRequest({ title: 'Revert "Add retries"', body, head: { sha: HEAD, ref: "revert-5-main" } }),
      ),
    );
    expect(f.links).toEqual(
      expect.arrayContaining([
        link(PR7, "linear:issue:ENG-10", "linear-url"),
        link(PR7, "github:issue:acme/web#12", "github-closing-keyword"),
        link(PR7, "github:pr:acme/web#5", "revert-body"),
        link(PR7, "github:pr:acme/web#5", "revert-branch"),
      ]),
    );
    expect(f.mentions).toContainEqual(mention(PR7, "linear_identifier", "ENG-9", "linear-magic-word", "closes"));
    expect(f.pullRequest?.revertsByTitle).toBe("Add retries");
  });
});

describe("GitHub pushes", () => {
  function push(over: Obj = {}): Obj {
    return {
      ref: "refs/heads/main",
      before: BEFORE,
      after: C2,
      forced: false,
      compare: "https://github.com/acme/web/compare/x...y",
      commits: [
        { id: C1, message: "Fixes ENG-42\n\nlonger text", timestamp: "2025-01-01T10:00:00Z", url: "u1" },
        { id: C2, message: "second", timestamp: "2025-01-01T10:01:00Z", url: "u2" },
      ],
      head_commit: { id: C2, message: "second", timestamp: "2025-01-01T10:01:00Z" },
      repository: { full_name: "Acme/Web" },
      ...over,
    };
  }
  const chain = (f: Facts) => f.push?.commits.map((c) => [c.sha, c.parents]);

  it("chains the listed commits, the first one onto `before`", () => {
    const f = facts(github("push", push()));
    expect(f.push).toMatchObject({ repository: REPO, branch: "main" });
    expect(chain(f)).toEqual([
      [C1, [BEFORE]],
      [C2, [C1]],
    ]);
    expect(f.scopes).toEqual(["repo:acme/web"]);
    expect(f.entities).toContainEqual(
      expect.objectContaining({ key: commitKey(C1), kind: "github.commit", title: "Fixes ENG-42" }),
    );
    // Commit messages are developer text.
    expect(f.mentions).toContainEqual(
      mention(commitKey(C1), "linear_identifier", "ENG-42", "linear-magic-word", "closes"),
    );
  });

  it("leaves the first parent unknown on a forced push or a new branch", () => {
    expect(chain(facts(github("push", push({ forced: true }))))?.[0]).toEqual([C1, []]);
    expect(chain(facts(github("push", push({ before: ZERO }))))?.[0]).toEqual([C1, []]);
  });

  it("appends `after` when GitHub does not list it", () => {
    const p = push({ commits: [push().commits[0]] });
    expect(chain(facts(github("push", p)))).toEqual([
      [C1, [BEFORE]],
      [C2, [C1]],
    ]);
    const moved = push({ commits: [] });
    expect(chain(facts(github("push", moved)))).toEqual([[C2, [BEFORE]]]);
    expect(facts(github("push", moved)).push?.commits[0]?.message).toBe("second");
  });

  it("lower-cases SHAs, names no branch for tags, lists nothing for a deletion", () => {
    const upper = push({ before: BEFORE, after: "A".repeat(40), commits: [{ id: "A".repeat(40), message: "m" }] });
    expect(chain(facts(github("push", upper)))).toEqual([["a".repeat(40), [BEFORE]]]);
    expect(facts(github("push", push({ ref: "refs/tags/v1.0.0" }))).push?.branch).toBeNull();
    expect(facts(github("push", push({ after: ZERO, commits: [], head_commit: null }))).push?.commits).toEqual([]);
  });
});
