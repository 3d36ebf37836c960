import { describe, expect, it } from "vitest";
import { SECRETS, useTestService, waitFor } from "../helpers/service.js";
import { apiCall } from "../helpers/api-call.js";
import { deployRequest, githubRequest, pagerdutyRequest, post } from "../../kit/sign.js";
import { deployStatus, githubPush, pagerdutyIncident, pullRequest, pullRequestMerged } from "../../kit/payloads.js";

/**
 * A fact far from the incident in time still re-ranks it (docs/incidents.md): the revert of the
 * deploy's PR is merged a week after the page, beyond the suspect window, and arrives last.
 */
const ctx = useTestService();
const H = 3_600_000;
const T0 = Date.parse("2026-11-16T09:00:00Z");
const at = (hours: number) => new Date(T0 + hours * H).toISOString();
const repo = "acme/late-revert";
const sha = (c: string) => c.repeat(40);

const call = apiCall(ctx);
const get = async (path: string) => (await call("GET", `/api${path}`)).json;

describe("a revert merged a week after the incident, arriving last", () => {
  it("adds its evidence to the suspect it remediates", async () => {
    const gh = (event: string, payload: object, id: string) =>
      githubRequest(event, { ...payload, repository: { full_name: repo } }, SECRETS.github[0]!, `late-${id}`);
    const deploy = (id: string, commit: string, hours: number) =>
      deployRequest(
        deployStatus({
          id: `late-${id}`,
          repository: repo,
          environment: "production",
          status: "succeeded",
          sha: commit,
          url: `https://ci.example.com/late-${id}`,
          startedAt: at(hours - 0.1),
          finishedAt: at(hours),
        }),
        SECRETS.deploy[0]!,
        `late-${id}`,
      );
    const commit = (id: string, message: string, hours: number) => ({ id, message, timestamp: at(hours), url: "" });
    const pr7 = pullRequest({
      repo,
      number: 7,
      title: "Faster search",
      body: "",
      branch: "b/search",
      sha: sha("c"),
      at: at(0),
    });
    const pr8 = pullRequest({
      repo,
      number: 8,
      title: 'Revert "Faster search"',
      body: `Reverts ${repo}#7`,
      branch: "revert-7-b/search",
      sha: sha("d"),
      at: at(170),
    });
    const early = [
      await gh(
        "push",
        githubPush({ ref: "refs/heads/main", before: sha("9"), commits: [commit(sha("a"), "base", -30)] }),
        "1",
      ),
      deploy("0", sha("a"), -24),
      await gh(
        "pull_request",
        { action: "closed", number: 7, pull_request: pullRequestMerged(pr7, sha("b"), at(1)) },
        "2",
      ),
      await gh(
        "push",
        githubPush({ ref: "refs/heads/main", before: sha("a"), commits: [commit(sha("b"), "Faster search (#7)", 1)] }),
        "3",
      ),
      deploy("1", sha("b"), 2),
      pagerdutyRequest(
        pagerdutyIncident({
          eventId: "late-pd-1",
          eventType: "incident.triggered",
          occurredAt: at(3),
          id: "QLATE1",
          status: "triggered",
          title: "Search times out",
          service: "late-revert",
          createdAt: at(3),
        }),
        SECRETS.pagerduty[0]!,
        "late-pd-1",
      ),
    ];
    for (const r of early)
      expect(
        (
          await post(
            `${ctx.url}/webhooks/${r.headers["x-github-event"] ? "github" : r.headers["x-pagerduty-signature"] ? "pagerduty" : "deploy"}`,
            r,
          )
        ).status,
      ).toBe(202);
    const key = encodeURIComponent("incident:pagerduty:QLATE1");
    const before = await waitFor(async () => {
      const d = await get(`/incidents/${key}`);
      return d.suspects?.length === 2 && d.suspects[0].deploy === "deploy:generic:late-1" && d;
    }, 15_000);
    expect(before.suspects.map((s: any) => s.confidence)).toEqual([0.3, 0.25]);

    // A week later (beyond the 72 h window): #8 reverts #7.
    const revert = await gh(
      "pull_request",
      { action: "closed", number: 8, pull_request: pullRequestMerged(pr8, sha("e"), at(171)) },
      "4",
    );
    expect((await post(`${ctx.url}/webhooks/github`, revert)).status).toBe(202);
    const after = await waitFor(async () => {
      const d = await get(`/incidents/${key}`);
      return d.suspects?.[0]?.confidence === 0.45 && d;
    }, 15_000);
    expect(after.suspects[0]).toMatchObject({ deploy: "deploy:generic:late-1", confidence: 0.45 });
    expect(after.suspects[0].reasons).toContain("a change it shipped was reverted");
  });
});
