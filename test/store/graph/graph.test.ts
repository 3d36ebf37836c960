/**
 * applyFacts and the deploy-range recompute on the run's schema, each case in a transaction that
 * rolls back: the expected links come from the rules (docs/correlation.md, contract §5).
 * Direct links, joins and mentions here; deploy ranges and order independence in graph-ranges.test.ts.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { BUILTIN_RULES } from "../../../src/correlate/builtin-rules.js";
import { openDatabase } from "../../../src/store/prisma.js";
import type { Sql } from "../../../src/store/sql.js";
import { apply, hours, linksOf, rolledBack, world } from "../seed.js";
import { CONTAINS_BRANCH } from "./graph-helpers.js";

const db = openDatabase(inject("databaseUrl"), 2);
afterAll(() => db.close());
const tx = <T>(fn: (tx: Sql) => Promise<T>) => rolledBack(db.pool, fn);

describe("applyFacts: direct links and joins", () => {
  it("links a PR to its head SHA (pr-head-commit), with the PR's event as evidence", async () => {
    const w = world();
    const head = w.sha("head");
    const pr = w.pullRequest(1, { at: hours(1), headRef: "feature", headSha: head });
    const links = await tx(async (t) => {
      await apply(t, [pr]);
      return linksOf(t, w.ns);
    });
    expect(links).toEqual([
      {
        from: w.pr(1),
        to: w.commit(head),
        relation: "contains",
        rule: "pr-head-commit",
        confidence: 1,
        evidence: [pr.eventId],
      },
    ]);
  });

  it("links the commits pushed to a PR's branch, the push before the PR or after it", async () => {
    const w = world();
    const [c1, c2, m] = [w.sha("c1"), w.sha("c2"), w.sha("main")];
    const pushBranch = w.push("feature", [{ sha: c1 }, { sha: c2, parents: [c1] }], hours(1));
    const pushMain = w.push("main", [{ sha: m }], hours(1));
    const pushOther = w.push("other", [{ sha: w.sha("other") }], hours(1));
    const pr = w.pullRequest(1, { at: hours(2), headRef: "feature", baseRef: "main" });
    const evidence = [pr.eventId, pushBranch.eventId].sort();
    const expected = [c1, c2].sort().map((sha) => ({
      from: w.pr(1),
      to: w.commit(sha),
      relation: "contains",
      rule: "pr-branch-push",
      confidence: CONTAINS_BRANCH,
      evidence,
    }));
    for (const order of [
      [pushBranch, pushMain, pushOther, pr],
      [pr, pushBranch, pushMain, pushOther],
    ]) {
      const links = await tx(async (t) => {
        await apply(t, order);
        return linksOf(t, w.ns);
      });
      // Pushes to the base branch or another branch are not the PR's commits.
      expect(links).toEqual(expected);
    }
  });

  it("makes no pr-branch-push link while the rule is switched off", async () => {
    const w = world();
    const c1 = w.sha("c1");
    const items = [w.push("feature", [{ sha: c1 }], hours(1)), w.pullRequest(1, { at: hours(2), headRef: "feature" })];
    const links = await tx(async (t) => {
      await apply(t, items, false, (rule) => rule !== "pr-branch-push");
      await apply(t, [...items].reverse(), false, (rule) => rule !== "pr-branch-push");
      return linksOf(t, w.ns);
    });
    expect(links).toEqual([]);
  });
});

describe("applyFacts: mentions wait for their target", () => {
  it("links a Linear identifier only once its team appears, with the mentioning event as evidence", async () => {
    const w = world();
    const mention = (n: number, target: string) =>
      w.pullRequest(n, { at: hours(n), mentions: [{ kind: "linear_identifier", target, rule: "linear-id-in-title" }] });
    const early = mention(1, `${w.team}-7`);
    const unknownTeam = mention(2, `Z${w.team.slice(1)}-3`);
    // The team's first event is about another issue: it validates every identifier of the team.
    const teamAppears = w.linearIssue(9, randomUUID(), hours(3));
    const late = mention(4, `${w.team}-8`);
    const conf = BUILTIN_RULES["linear-id-in-title"].confidence;
    const { before, after } = await tx(async (t) => {
      await apply(t, [early, unknownTeam]);
      const before = await linksOf(t, w.ns);
      const [stored] = await t.query<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM mentions WHERE from_key = ${w.pr(1)} AND target = ${`${w.team}-7`}`;
      expect(stored!.n).toBe(1);
      await apply(t, [teamAppears, late]);
      return { before, after: await linksOf(t, w.ns) };
    });
    expect(before).toEqual([]);
    expect(after).toEqual([
      {
        from: w.pr(1),
        to: w.linear(7),
        relation: "references",
        rule: "linear-id-in-title",
        confidence: conf,
        evidence: [early.eventId],
      },
      {
        from: w.pr(4),
        to: w.linear(8),
        relation: "references",
        rule: "linear-id-in-title",
        confidence: conf,
        evidence: [late.eventId],
      },
    ]);
  });

  it("resolves a Linear issue id (attachment) and a deploy URL (Slack) whichever comes first", async () => {
    const w = world();
    const issueId = randomUUID();
    const attachment = w.attachment(1, issueId, hours(1));
    const issue = w.linearIssue(5, issueId, hours(2));
    const slack = w.slack("1.1", hours(3), [{ kind: "url", target: w.deployUrl("d1"), rule: "slack-deploy-url" }]);
    const deploy = w.deployEvent("d1", { env: "production", sha: w.sha("a"), at: hours(4), url: true });
    const expected = [
      {
        from: w.pr(1),
        to: w.linear(5),
        relation: "references",
        rule: "linear-attachment",
        confidence: 1,
        evidence: [attachment.eventId],
      },
      {
        from: `slack:message:C${w.ns}/1.1`,
        to: w.deploy("d1"),
        relation: "discusses",
        rule: "slack-deploy-url",
        confidence: 0.8,
        evidence: [slack.eventId],
      },
    ];
    for (const order of [
      [attachment, issue, slack, deploy],
      [deploy, issue, slack, attachment],
    ]) {
      const links = await tx(async (t) => {
        await apply(t, order);
        return (await linksOf(t, w.ns)).filter((l) => l.rule !== "deploy-sha" && l.rule !== "deploy-range");
      });
      expect(links).toEqual(expected);
    }
  });
});
