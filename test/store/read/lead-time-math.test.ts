import { describe, expect, it } from "vitest";
import {
  environmentTest,
  firstDeploy,
  leadTimeStages,
  type PullRequestTimes,
  stageSeconds,
  summarize,
} from "../../../src/store/read/lead-time-math.js";

const t = (hours: number) => new Date(Date.UTC(2026, 0, 1) + hours * 3_600_000);
const H = 3600;
const production = environmentTest(undefined, ["prod*", "live"]);

function pr(over: Partial<PullRequestTimes> = {}): PullRequestTimes {
  return {
    key: "github:pr:acme/web#1",
    repository: "acme/web",
    number: 1,
    title: "Change",
    author: "alice",
    firstCommitAt: t(0),
    openedAt: t(2),
    firstReviewAt: t(5),
    mergedAt: t(9),
    shippedBy: [{ key: "deploy:generic:p1", environment: "production", finishedAt: t(14) }],
    ...over,
  };
}

describe("stageSeconds", () => {
  it("is the time between two known ends, null when one is unknown or they are out of order", () => {
    expect(stageSeconds(t(1), t(3))).toBe(2 * H);
    expect(stageSeconds(t(1), t(1))).toBe(0);
    expect(stageSeconds(null, t(1))).toBeNull();
    expect(stageSeconds(t(1), null)).toBeNull();
    expect(stageSeconds(t(3), t(1))).toBeNull();
  });
});

describe("firstDeploy", () => {
  const shipped = [
    { key: "deploy:generic:b", environment: "production", finishedAt: t(20) },
    { key: "deploy:generic:s", environment: "staging", finishedAt: t(10) },
    { key: "deploy:generic:a", environment: "Prod-EU", finishedAt: t(12) },
    { key: "deploy:generic:c", environment: "live", finishedAt: t(12) },
  ];

  it("is the earliest finished deploy of a production environment (globs without case), ties by key", () => {
    expect(firstDeploy(shipped, production, t(0))?.key).toBe("deploy:generic:a");
    expect(firstDeploy(shipped.slice(0, 2), production, t(0))?.key).toBe("deploy:generic:b");
    expect(firstDeploy(shipped.slice(1, 2), production, t(0))).toBeNull();
  });

  it("skips deploys that finished before the merge: they shipped the branch, not the merged change", () => {
    expect(firstDeploy(shipped, production, t(13))?.key).toBe("deploy:generic:b");
    expect(firstDeploy(shipped, production, t(12))?.key).toBe("deploy:generic:a"); // at the merge counts
    expect(firstDeploy(shipped, production, t(21))).toBeNull();
  });

  it("with an environment named, only that one counts, whatever its name", () => {
    expect(firstDeploy(shipped, environmentTest("staging", ["prod*"]), t(0))?.key).toBe("deploy:generic:s");
    expect(firstDeploy(shipped, environmentTest("Staging", ["prod*"]), t(0))).toBeNull();
  });
});

describe("leadTimeStages", () => {
  it("splits a PR into coding, pickup, review and deploy", () => {
    const [one] = leadTimeStages([pr()], production).pullRequests;
    expect(one!.stages).toEqual({ coding: 2 * H, pickup: 3 * H, review: 4 * H, deploy: 5 * H });
    expect(one!.deploy).toBe("deploy:generic:p1");
    expect(one!.deployedAt).toEqual(t(14));
    expect(one).not.toHaveProperty("shippedBy");
  });

  it("leaves a stage null when an end is unknown or out of order, and keeps the others", () => {
    const before = { key: "deploy:generic:x", environment: "prod", finishedAt: t(8) };
    const [a, b, c, d] = leadTimeStages(
      [
        pr({ firstCommitAt: null, firstReviewAt: null }),
        pr({ firstCommitAt: t(3), shippedBy: [] }), // commit authored after the PR opened (a rebase)
        pr({ shippedBy: [before] }),
        pr({ shippedBy: [before, { key: "deploy:generic:y", environment: "prod", finishedAt: t(15) }] }),
      ],
      production,
    ).pullRequests;
    expect(a!.stages).toEqual({ coding: null, pickup: null, review: null, deploy: 5 * H });
    expect(b!.stages).toEqual({ coding: null, pickup: 3 * H, review: 4 * H, deploy: null });
    expect(b!.deploy).toBeNull();
    // Deployed only before the merge (the branch's head): not yet deployed as merged.
    expect(c).toMatchObject({ deploy: null, deployedAt: null, stages: { deploy: null } });
    // A deploy before the merge does not hide the one after it.
    expect(d).toMatchObject({ deploy: "deploy:generic:y", deployedAt: t(15), stages: { deploy: 6 * H } });
  });

  it("a review after the merge leaves pickup and review unknown, not stretched past the merge", () => {
    const [late] = leadTimeStages([pr({ firstReviewAt: t(11) })], production).pullRequests;
    expect(late!.stages).toEqual({ coding: 2 * H, pickup: null, review: null, deploy: 5 * H });
    const [atMerge] = leadTimeStages([pr({ firstReviewAt: t(9) })], production).pullRequests;
    expect(atMerge!.stages).toEqual({ coding: 2 * H, pickup: 7 * H, review: 0, deploy: 5 * H });
  });

  it("gives each stage's median and p90 overall and per repository", () => {
    const prs = [1, 2, 3, 4].map((h, i) =>
      pr({ key: `k${i}`, repository: i < 3 ? "acme/web" : "acme/api", firstCommitAt: t(2 - h) }),
    );
    const r = leadTimeStages(prs, production);
    // coding: 1, 2, 3, 4 hours
    expect(r.stages.coding).toEqual({ count: 4, medianSeconds: 2.5 * H, p90Seconds: 3.7 * H });
    expect(r.stages.review).toEqual({ count: 4, medianSeconds: 4 * H, p90Seconds: 4 * H });
    expect(r.byRepository.map((x) => [x.repository, x.merged, x.stages.coding.medianSeconds])).toEqual([
      ["acme/api", 1, 4 * H],
      ["acme/web", 3, 2 * H],
    ]);
  });

  it("summarizes nothing as zero counts and null figures", () => {
    expect(summarize([])).toEqual({
      coding: { count: 0, medianSeconds: null, p90Seconds: null },
      pickup: { count: 0, medianSeconds: null, p90Seconds: null },
      review: { count: 0, medianSeconds: null, p90Seconds: null },
      deploy: { count: 0, medianSeconds: null, p90Seconds: null },
    });
  });
});
