import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { API_TOKENS, SECRETS, useTestService, useTestPrisma, waitFor } from "../helpers/service.js";
import { githubRequest, linearRequest, post, slackRequest } from "../../kit/sign.js";
import { at, story } from "../helpers/story.js";
import { checkAnswer } from "../helpers/answers.js";

const ctx = useTestService({ WORKER_CONCURRENCY: "8" });
const prisma = useTestPrisma();
const api = (path: string) =>
  fetch(`${ctx.url}${path}`, { headers: { authorization: `Bearer ${API_TOKENS[0]}` } }).then(async (r) => {
    const json = (await r.json()) as any;
    checkAnswer("GET", path, r.status, json);
    return { status: r.status, json };
  });

/** The links of one story, as `from relation to [rule]` with the namespace written out of them. */
async function linkSet(s: ReturnType<typeof story>): Promise<string[]> {
  const names: Array<[string, string]> = [
    ...Object.entries(s.commits).map(([name, sha]) => [sha, name] as [string, string]),
    [s.repo, "REPO"],
    [s.issue, "ISSUE"],
    [s.channel, "CHAN"],
    [s.deploy(""), "dep-"],
  ];
  const anon = (key: string) => names.reduce((k, [from, to]) => k.replaceAll(from, to), key);
  const rows = await prisma.link.findMany({
    where: {
      OR: [s.repo, s.issue, s.channel, s.deploy("")].flatMap((t) => [
        { fromKey: { contains: t } },
        { toKey: { contains: t } },
      ]),
    },
  });
  return rows.map((l) => `${anon(l.fromKey)} ${l.relation} ${anon(l.toKey)} [${l.rule}]`).sort();
}

const EXPECTED = [
  "deploy:generic:dep-eu-0 deploys github:commit:REPO@B0 [deploy-sha]",
  "deploy:generic:dep-eu-0 ships github:commit:REPO@B0 [deploy-range]",
  "deploy:generic:dep-eu-1 deploys github:commit:REPO@M1 [deploy-sha]",
  "deploy:generic:dep-eu-1 ships github:commit:REPO@M1 [deploy-range]",
  "deploy:generic:dep-eu-1 ships github:pr:REPO#7 [deploy-range]",
  "deploy:generic:dep-eu-1 ships linear:issue:ISSUE [deploy-range]",
  "deploy:generic:dep-eu-2 deploys github:commit:REPO@R1 [deploy-sha]",
  "deploy:generic:dep-eu-3 deploys github:commit:REPO@R1 [deploy-sha]",
  "deploy:generic:dep-eu-3 ships github:commit:REPO@R1 [deploy-range]",
  "deploy:generic:dep-eu-3 ships github:pr:REPO#8 [deploy-range]",
  "deploy:generic:dep-stg-1 deploys github:commit:REPO@M1 [deploy-sha]",
  "deploy:generic:dep-stg-1 ships github:commit:REPO@M1 [deploy-range]",
  "deploy:generic:dep-stg-1 ships github:pr:REPO#7 [deploy-range]",
  "deploy:generic:dep-stg-1 ships linear:issue:ISSUE [deploy-range]",
  "deploy:generic:dep-us-0 deploys github:commit:REPO@B0 [deploy-sha]",
  "deploy:generic:dep-us-0 ships github:commit:REPO@B0 [deploy-range]",
  "deploy:generic:dep-us-1 deploys github:commit:REPO@M1 [deploy-sha]",
  "deploy:generic:dep-us-1 ships github:commit:REPO@M1 [deploy-range]",
  "deploy:generic:dep-us-1 ships github:pr:REPO#7 [deploy-range]",
  "deploy:generic:dep-us-1 ships linear:issue:ISSUE [deploy-range]",
  "deploy:generic:dep-us-2 deploys github:commit:REPO@B0 [deploy-sha]",
  "deploy:generic:dep-us-2 rolls_back deploy:generic:dep-us-1 [rollback]",
  "github:commit:REPO@M1 closes linear:issue:ISSUE [linear-magic-word]",
  "github:pr:REPO#7 closes linear:issue:ISSUE [linear-magic-word]",
  "github:pr:REPO#7 contains github:commit:REPO@C1 [pr-branch-push]",
  "github:pr:REPO#7 contains github:commit:REPO@H1 [pr-branch-push]",
  "github:pr:REPO#7 contains github:commit:REPO@H1 [pr-head-commit]",
  "github:pr:REPO#7 contains github:commit:REPO@M1 [pr-commit-subject]",
  "github:pr:REPO#7 contains github:commit:REPO@M1 [pr-merge-commit]",
  "github:pr:REPO#7 references linear:issue:ISSUE [linear-attachment]",
  "github:pr:REPO#7 references linear:issue:ISSUE [linear-id-in-branch]",
  "github:pr:REPO#8 contains github:commit:REPO@H8 [pr-head-commit]",
  "github:pr:REPO#8 contains github:commit:REPO@R1 [pr-merge-commit]",
  "github:pr:REPO#8 reverts linear:issue:ISSUE [linear-revert]",
  "github:pr:REPO#8 reverts github:pr:REPO#7 [revert-body]",
  "github:pr:REPO#8 reverts github:pr:REPO#7 [revert-branch]",
  "github:pr:REPO#8 reverts github:pr:REPO#7 [revert-title]",
  "slack:message:CHAN/1762077600.000100 discusses github:pr:REPO#7 [slack-url]",
  "slack:message:CHAN/1762077600.000100 discusses linear:issue:ISSUE [slack-identifier]",
  "slack:message:CHAN/1762077900.000200 discusses deploy:generic:dep-us-1 [slack-deploy-url]",
  "slack:message:CHAN/1762077900.000200 in_thread slack:message:CHAN/1762077600.000100 [slack-thread]",
].sort();

/** Sends steps one at a time, each stored (and so correlated) before the next is sent; event id → step name. */
async function deliverInOrder(steps: ReturnType<typeof story>["steps"]) {
  const names = new Map<string, string>();
  for (const step of steps) {
    const res = await post(`${ctx.url}/webhooks/${step.platform}`, await step.request());
    expect(res.status, `${step.name}: ${res.text}`).toBe(202);
    await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id }, select: { id: true } }));
    names.set(res.json.id, step.name);
  }
  return names;
}

/** The links of a story with their evidence, written as the names of the steps that gave it. */
async function linkSetWithEvidence(s: ReturnType<typeof story>, names: Map<string, string>) {
  const keys = [s.repo, s.issue, s.channel, s.deploy("")];
  const rows = await prisma.link.findMany({
    where: { OR: keys.flatMap((t) => [{ fromKey: { contains: t } }, { toKey: { contains: t } }]) },
  });
  const commits = Object.entries(s.commits);
  const anon = (key: string) => commits.reduce((k, [name, sha]) => k.replaceAll(sha, name), key);
  return rows
    .map(
      (l) =>
        `${anon(l.fromKey)} ${l.relation} ${anon(l.toKey)} [${l.rule}] ` +
        `${l.evidence.map((e) => names.get(e) ?? "?").sort()}`,
    )
    .map((line) => keys.reduce((k, t) => k.replaceAll(t, "X"), line))
    .sort();
}

/** A seeded shuffle, so a failing order can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("the multi-platform story", () => {
  const s = story("s0");
  beforeAll(() => deliverInOrder(s.steps), 60_000);

  it("makes exactly the expected links", async () => {
    expect(await linkSet(s)).toEqual(EXPECTED);
  });

  it("says what each deploy shipped", async () => {
    const changes = async (id: string) =>
      (await api(`/api/deploys/${encodeURIComponent(`deploy:generic:${s.deploy(id)}`)}/changes`)).json;
    const us1 = await changes("us-1");
    expect(us1.rangeKnown).toBe(true);
    expect(us1.previous.key).toBe(`deploy:generic:${s.deploy("us-0")}`);
    expect(us1.commits.map((c: any) => c.sha)).toEqual([s.commits.M1]);
    expect(us1.pullRequests.map((p: any) => p.number)).toEqual([7]);
    expect(us1.issues).toEqual([
      { key: `linear:issue:${s.issue}`, title: "Checkout times out on slow networks", state: "Todo", confidence: 0.95 },
    ]);
    const stg = await changes("stg-1");
    expect(stg).toMatchObject({ rangeKnown: false, previous: null });
    expect(stg.pullRequests.map((p: any) => p.number)).toEqual([7]);
    const rollback = await changes("us-2");
    expect(rollback).toMatchObject({
      rangeKnown: true,
      rollsBack: `deploy:generic:${s.deploy("us-1")}`,
      commits: [],
      pullRequests: [],
      issues: [],
    });
    const eu3 = await changes("eu-3");
    expect(eu3.previous.key).toBe(`deploy:generic:${s.deploy("eu-1")}`);
    expect(eu3.pullRequests.map((p: any) => p.number)).toEqual([8]);
    expect((await api(`/api/deploys/${encodeURIComponent("deploy:generic:nope")}/changes`)).status).toBe(404);
  });

  it("computes DORA figures as worked out by hand", async () => {
    const dora = async (env: string) =>
      (await api(`/api/metrics/dora?repository=${s.repo}&environment=${env}&since=${at(-48)}&until=${at(24)}`)).json;
    const us = await dora("production-us");
    // 3 successful deploys in 3 days; lead times: B0 24 h (no baseline, proven commit), PR #7 from
    // its first commit at 0.5 h to 6 h = 5.5 h; us-1 rolled back 2 h later by us-2.
    expect(us.deploymentFrequency).toEqual({ deploys: 3, perDay: 1 });
    expect(us.leadTimeForChanges).toEqual({
      changes: 2,
      medianSeconds: (86_400 + 19_800) / 2,
      p90Seconds: 19_800 + 0.9 * (86_400 - 19_800),
    });
    expect(us.changeFailureRate).toEqual({ deployments: 3, failures: 1, rate: 1 / 3 });
    expect(us.timeToRestore).toEqual({ restored: 1, medianSeconds: 7_200 });
    const eu = await dora("production-eu");
    // eu-2 failed (restored by eu-3 1 h later); eu-1 shipped PR #7, reverted by PR #8 shipped by eu-3 4 h later.
    expect(eu.deploymentFrequency).toEqual({ deploys: 3, perDay: 1 });
    expect(eu.leadTimeForChanges).toEqual({
      changes: 3,
      medianSeconds: 23_400,
      p90Seconds: 23_400 + 0.8 * (90_000 - 23_400),
    });
    expect(eu.changeFailureRate).toEqual({ deployments: 4, failures: 2, rate: 0.5 });
    expect(eu.timeToRestore).toEqual({ restored: 2, medianSeconds: (3_600 + 14_400) / 2 });
  });

  it("feeds the analyst views", async () => {
    const lifecycle = await prisma.$queryRaw<Array<{ environment: string; hours: number }>>`
      SELECT environment, extract(epoch FROM lead_time) / 3600 AS hours FROM pr_lifecycle
      WHERE key = ${`github:pr:${s.repo}#7`} ORDER BY environment`;
    expect(lifecycle.map((r) => [r.environment, Number(r.hours)])).toEqual([
      ["production-eu", 6.5],
      ["production-us", 5.5],
      ["staging", 4.5],
    ]);
    const shipped = await prisma.$queryRaw<Array<{ change_kind: string }>>`
      SELECT change_kind FROM deploy_changes
      WHERE deploy_key = ${`deploy:generic:${s.deploy("us-1")}`} ORDER BY change_kind`;
    expect(shipped.map((r) => r.change_kind)).toEqual(["github.commit", "github.pr", "linear.issue"]);
    const outcomes = await prisma.$queryRaw<
      Array<{ key: string; failed: boolean; rolled_back: boolean; shipped_reverted_change: boolean }>
    >`
      SELECT key, failed, rolled_back, shipped_reverted_change FROM deploy_outcomes
      WHERE repository = ${s.repo} AND environment = 'production-us' ORDER BY finished_at`;
    expect(outcomes.map((o) => [o.key.split("-").at(-1), o.failed, o.rolled_back, o.shipped_reverted_change])).toEqual([
      ["0", false, false, false],
      ["1", false, true, true],
      ["2", false, false, false],
    ]);
  });

  it("answers the entity graph with depth", async () => {
    const one = await api(`/api/entities/${encodeURIComponent(`linear:issue:${s.issue}`)}`);
    expect(one.status).toBe(200);
    expect(one.json.entity).toMatchObject({
      key: `linear:issue:${s.issue}`,
      kind: "linear.issue",
      title: "Checkout times out on slow networks",
    });
    expect(Object.keys(one.json.entity).sort()).toEqual([
      "firstSeenAt",
      "key",
      "kind",
      "lastSeenAt",
      "state",
      "title",
      "url",
    ]);
    expect(one.json.timeline.map((e: any) => e.type)).toContain("linear.issue.create");
    const direct = new Set(one.json.links.map((l: any) => l.from));
    expect(direct.has(`github:pr:${s.repo}#7`)).toBe(true);
    const two = await api(`/api/entities/${encodeURIComponent(`linear:issue:${s.issue}`)}?depth=2`);
    expect(two.json.links.length).toBeGreaterThan(one.json.links.length);
    expect(two.json.related.map((e: any) => e.key)).toContain(`github:commit:${s.repo}@${s.commits.H1}`);
    expect((await api(`/api/entities/${encodeURIComponent("github:pr:nobody/nothing#1")}`)).status).toBe(404);
  });
});

describe("order independence", () => {
  it("gives the same evidence in any order, pushes to a PR branch before or after the PR (contract §5)", async () => {
    const forward = story("e0");
    const backward = story("e1");
    const a = await linkSetWithEvidence(forward, await deliverInOrder(forward.steps));
    const b = await linkSetWithEvidence(backward, await deliverInOrder([...backward.steps].reverse()));
    expect(a.filter((l) => l.includes("[pr-branch-push]")).length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  }, 60_000);

  it("gives the same link set in 50 random orders", async () => {
    const orders = Array.from({ length: 50 }, (_, i) => ({ seed: i + 1, s: story(`o${String(i).padStart(2, "0")}`) }));
    // Ten stories at a time; within each, steps go one by one in their shuffled order.
    for (let i = 0; i < orders.length; i += 10) {
      await Promise.all(orders.slice(i, i + 10).map(({ seed, s }) => deliverInOrder(shuffle(s.steps, seed))));
    }
    for (const { seed, s } of orders) expect(await linkSet(s), `order with seed ${seed}`).toEqual(EXPECTED);
  }, 240_000);

  it("gives the same link set when every step is delivered at once", async () => {
    const s = story("c0");
    const results = await Promise.all(
      s.steps.map(async (step) => post(`${ctx.url}/webhooks/${step.platform}`, await step.request())),
    );
    const ids = results.map((r) => r.json.id as string);
    await waitFor(async () => (await prisma.event.count({ where: { id: { in: ids } } })) === ids.length, 30_000);
    expect(await linkSet(s)).toEqual(EXPECTED);
  });

  it("links every mention of a team that first appears while they are being written", async () => {
    // Mentions of an unseen team share its lock; its first appearance takes it alone and must see them all.
    for (let round = 0; round < 3; round++) {
      const team = `Z${randomBytes(3).toString("hex").toUpperCase().replace(/[0-9]/g, "Q")}`;
      const prs = Array.from({ length: 20 }, (_, i) => ({
        action: "opened",
        number: i + 1,
        repository: { full_name: `conc-${team}/r${i % 4}` },
        sender: { login: "alice" },
        pull_request: {
          number: i + 1,
          title: `Work on ${team}-${i + 1}`,
          body: "",
          state: "open",
          head: { ref: `f${i}`, sha: "9".repeat(40) },
          base: { ref: "main" },
          updated_at: at(1),
        },
      }));
      const issue = {
        action: "create",
        type: "Issue",
        data: { id: randomUUID(), identifier: `${team}-1`, number: 1, title: "t", team: { key: team } },
        actor: { name: "a" },
      };
      const requests = [
        ...(await Promise.all(prs.map((pr) => githubRequest("pull_request", pr, SECRETS.github[0]!)))).map(
          (r) => ["github", r] as const,
        ),
        ["linear", linearRequest(issue, SECRETS.linear[0]!)] as const,
      ];
      const results = await Promise.all(
        shuffle(requests, round + 1).map(([platform, r]) => post(`${ctx.url}/webhooks/${platform}`, r)),
      );
      const ids = results.map((r) => r.json.id as string);
      await waitFor(async () => (await prisma.event.count({ where: { id: { in: ids } } })) === ids.length, 30_000);
      const links = await prisma.link.findMany({ where: { toKey: { startsWith: `linear:issue:${team}-` } } });
      expect(links.map((l) => l.toKey).sort()).toEqual(prs.map((_, i) => `linear:issue:${team}-${i + 1}`).sort());
    }
  });

  it("describes an entity by its latest event, in any arrival order", async () => {
    const requests = (repo: string) => {
      const pr = (title: string, hours: number) =>
        githubRequest(
          "pull_request",
          {
            action: "edited",
            number: 5,
            repository: { full_name: repo },
            sender: { login: "alice" },
            pull_request: {
              number: 5,
              title,
              body: "",
              state: "open",
              html_url: `https://github.com/${repo}/pull/5`,
              head: { ref: "f", sha: "7".repeat(40) },
              base: { ref: "main" },
              updated_at: at(hours),
            },
          },
          SECRETS.github[0]!,
        );
      // The latest event only mentions the PR: it names it without a title.
      const ts = (Date.parse(at(3)) / 1000).toFixed(6);
      const slack = {
        type: "event_callback",
        team_id: "T0LWW",
        event_id: `Ev${randomBytes(4).toString("hex")}`,
        event_time: Math.floor(Date.parse(at(3)) / 1000),
        event: {
          type: "message",
          channel: "C0LWW",
          user: "U1",
          text: `see https://github.com/${repo}/pull/5`,
          ts,
          event_ts: ts,
        },
      };
      return [
        async () => ["github", await pr("First title", 1)] as const,
        async () => ["github", await pr("Renamed", 2)] as const,
        async () => ["slack", slackRequest(JSON.stringify(slack), "application/json", SECRETS.slack[0]!)] as const,
      ];
    };
    const described: unknown[] = [];
    for (const order of [
      [0, 1, 2],
      [2, 0, 1],
      [1, 2, 0],
      [2, 1, 0],
    ]) {
      const repo = `lww/${randomBytes(3).toString("hex")}`;
      const steps = requests(repo);
      for (const i of order) {
        const [platform, request] = await steps[i]!();
        const res = await post(`${ctx.url}/webhooks/${platform}`, request);
        expect(res.status).toBe(202);
        await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id }, select: { id: true } }));
      }
      const e = await prisma.entity.findUniqueOrThrow({ where: { key: `github:pr:${repo}#5` } });
      described.push({
        title: e.title,
        firstSeenAt: e.firstSeenAt.toISOString(),
        lastSeenAt: e.lastSeenAt.toISOString(),
      });
    }
    expect(described).toEqual(Array(4).fill({ title: "Renamed", firstSeenAt: at(1), lastSeenAt: at(3) }));
  });
});
