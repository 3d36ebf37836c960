import { describe, expect, it } from "vitest";
import { githubHistory } from "../../../kit/github-history.js";
import {
  deploymentStatusDelivery,
  issueDelivery,
  pullRequestDelivery,
  pushDelivery,
  reviewDelivery,
} from "../../../src/platforms/github/history/convert.js";
import { nextLink } from "../../../src/platforms/github/history/source.js";
import { normalizeGithub } from "../../../src/platforms/github/normalize.js";
import type { ImportedDelivery } from "../../../src/import/history.js";
import { toDelivery } from "../../../src/import/run-import.js";

/** GitHub's REST objects as the webhook bodies the normalizer reads (src/platforms/github/history/convert.ts). */
const { state } = githubHistory({ seed: 3, pulls: 12, webhooks: false });
const repo = state.repository;
const normalized = (d: ImportedDelivery) => normalizeGithub(toDelivery("github", d));

describe("GitHub history conversion", () => {
  it("makes a merged PR a pull_request.closed at its merge, with the merge commit, priority high", () => {
    const pr = state.pulls.find((p) => p.merged_at)!;
    const d = pullRequestDelivery(repo, pr);
    expect(d.type).toBe("github.pull_request.closed");
    expect(d.priority).toBe("high");
    expect(d.receivedAt).toBe(new Date(pr.closed_at).toISOString());
    expect(d.deliveryId).toBe(`import:pull_request:acme/shop#${pr.number}:closed:${pr.updated_at}`);
    expect(d.headers!["x-github-event"]).toBe("pull_request");
    const e = normalized(d);
    expect(e.subject).toBe(`github:pr:acme/shop#${pr.number}`);
    expect(e.rows.github).toMatchObject({ merged: true, sha: pr.merge_commit_sha, action: "closed" });
    expect(e.keys).toContain(`github:commit:acme/shop@${pr.merge_commit_sha}`);
  });

  it("makes an open PR a pull_request.opened at its creation", () => {
    const pr: Record<string, unknown> = {
      ...state.pulls[0]!,
      state: "open",
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
    };
    const d = pullRequestDelivery(repo, pr);
    expect(d.type).toBe("github.pull_request.opened");
    expect(d.priority).toBe("normal");
    expect(d.receivedAt).toBe(new Date(pr.created_at as string).toISOString());
    expect(normalized(d).rows.github!.merged).toBe(false);
  });

  it("makes a review a pull_request_review.submitted in the webhook's lower case; a pending one nothing", () => {
    const pr = state.pulls[0]!;
    const review = state.reviews.get(pr.number)![0]!;
    const d = reviewDelivery(repo, pr, review)!;
    expect(d.type).toBe("github.pull_request_review.submitted");
    expect(JSON.parse(d.body).review.state).toBe("approved");
    expect(normalized(d).rows.github!.state).toBe("approved");
    expect(reviewDelivery(repo, pr, { ...review, state: "PENDING", submitted_at: null })).toBeNull();
  });

  it("makes commits a push, oldest first, before = the parent of the oldest", () => {
    const [newer, older] = state.commits as [Record<string, any>, Record<string, any>];
    const d = pushDelivery(repo, "main", [older, newer])!;
    const body = JSON.parse(d.body);
    expect(d.type).toBe("github.push");
    expect(body).toMatchObject({ ref: "refs/heads/main", before: older.parents[0].sha, after: newer.sha });
    expect(body.commits.map((c: { id: string }) => c.id)).toEqual([older.sha, newer.sha]);
    expect(body.head_commit.id).toBe(newer.sha);
    expect(normalized(d).subject).toBe(`github:commit:acme/shop@${newer.sha}`);
    expect(pushDelivery(repo, "main", [])).toBeNull();
  });

  it("makes a failed deployment status critical and a failed deploy row", () => {
    const deployment = state.deployments[0]!;
    const status = { ...state.statuses.get(deployment.id)![0]!, state: "failure" };
    const d = deploymentStatusDelivery(repo, deployment, status);
    expect(d.type).toBe("github.deployment_status.created");
    expect(d.priority).toBe("critical");
    expect(normalized(d).rows.deployment).toMatchObject({
      status: "failed",
      sha: deployment.sha,
      repository: "acme/shop",
    });
  });

  it("makes an issue an issues event and skips the pull requests the issues list holds", () => {
    const issue = state.issues.find((i) => !i.pull_request)!;
    const d = issueDelivery(repo, issue)!;
    expect(d.type).toBe(`github.issues.${issue.state === "closed" ? "closed" : "opened"}`);
    expect(normalized(d).subject).toBe(`github:issue:acme/shop#${issue.number}`);
    expect(
      issueDelivery(
        repo,
        state.issues.find((i) => i.pull_request)!,
      ),
    ).toBeNull();
  });

  it("gives the same item the same delivery id, and a changed one another", () => {
    const pr = state.pulls[0]!;
    expect(pullRequestDelivery(repo, pr).deliveryId).toBe(pullRequestDelivery(repo, { ...pr }).deliveryId);
    expect(pullRequestDelivery(repo, { ...pr, updated_at: "2030-01-01T00:00:00Z" }).deliveryId).not.toBe(
      pullRequestDelivery(repo, pr).deliveryId,
    );
  });

  it("reads the next page from a Link header", () => {
    const link = '<https://api.github.com/x?page=3>; rel="next", <https://api.github.com/x?page=9>; rel="last"';
    expect(nextLink(link)).toBe("https://api.github.com/x?page=3");
    expect(nextLink('<https://api.github.com/x?page=1>; rel="first"')).toBeNull();
    expect(nextLink(undefined)).toBeNull();
  });
});
