import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { SECRETS, useTestPrisma, useTestService, waitFor } from "../helpers/service.js";
import { githubRequest, post } from "../../kit/sign.js";

// Real GitHub payloads, as published by GitHub in @octokit/webhooks-examples.
const examples: Array<{ name: string; examples: any[] }> = createRequire(import.meta.url)(
  "@octokit/webhooks-examples/api.github.com/index.json",
);
const EVENTS = [
  "pull_request",
  "push",
  "issues",
  "issue_comment",
  "pull_request_review",
  "deployment",
  "deployment_status",
  "create",
  "delete",
  "release",
  "workflow_run",
  "check_suite",
  "ping",
];
const cases = examples
  .filter((e) => EVENTS.includes(e.name))
  .flatMap((e) =>
    e.examples.map((payload, i) => ({ event: e.name, payload, label: `${e.name} #${i} ${payload.action ?? ""}` })),
  );

const ctx = useTestService();
const prisma = useTestPrisma();
const accepted = new Map<string, { event: string; payload: any }>();

beforeAll(async () => {
  for (const c of cases) {
    const res = await post(`${ctx.url}/webhooks/github`, await githubRequest(c.event, c.payload, SECRETS.github[0]!));
    expect(res.status, c.label).toBe(202);
    expect(res.json.duplicate).toBe(false);
    accepted.set(res.json.id, c);
  }
  await waitFor(
    async () => (await prisma.event.count({ where: { id: { in: [...accepted.keys()] } } })) === accepted.size,
    20_000,
  );
});

describe("every GitHub example is stored with its normalized row", () => {
  it("covers every action of pull_request and the other events", () => {
    const prActions = new Set(cases.filter((c) => c.event === "pull_request").map((c) => c.payload.action));
    expect(prActions.size).toBeGreaterThanOrEqual(14);
    for (const a of ["opened", "synchronize", "closed", "reopened", "labeled", "review_requested"])
      expect(prActions).toContain(a);
    expect(new Set(cases.map((c) => c.event))).toEqual(new Set(EVENTS));
  });

  it.each(cases.map((c) => [c.label, c] as const))("%s", async (_label, c) => {
    const id = [...accepted].find(([, v]) => v === c)![0];
    const stored = await prisma.event.findUniqueOrThrow({
      where: { id },
      include: { github: true, deployment: true, raw: true },
    });
    const p = c.payload;
    const repo: string | undefined = p.repository?.full_name?.toLowerCase();

    expect(stored.platform).toBe("github");
    expect(stored.type).toBe(p.action ? `github.${c.event}.${p.action}` : `github.${c.event}`);
    expect(JSON.parse(stored.raw.body)).toEqual(p);
    expect(stored.raw.headers).toMatchObject({ "x-github-event": c.event });
    expect(stored.github).toMatchObject({ name: c.event, action: p.action ?? null, sender: p.sender?.login ?? null });
    if (repo) {
      expect(stored.github!.repository).toBe(repo);
      expect(stored.keys).toContain(`github:repo:${repo}`);
    }
    expect(stored.actor).toBe(p.sender?.login ?? null);

    switch (c.event) {
      case "pull_request":
      case "pull_request_review": {
        const pr = p.pull_request;
        expect(stored.subject).toBe(`github:pr:${repo}#${pr.number}`);
        expect(stored.github).toMatchObject({
          number: pr.number,
          baseRef: pr.base.ref,
          headRef: pr.head.ref,
          title: pr.title,
        });
        expect(stored.keys).toContain(`github:commit:${repo}@${pr.head.sha}`);
        if (pr.merged) expect(stored.keys).toContain(`github:commit:${repo}@${pr.merge_commit_sha}`);
        expect(stored.priority).toBe(p.action === "closed" && pr.merged ? "high" : "normal");
        break;
      }
      case "issues":
        expect(stored.subject).toBe(`github:issue:${repo}#${p.issue.number}`);
        expect(stored.github).toMatchObject({
          number: p.issue.number,
          title: p.issue.title,
          state: p.issue.state ?? null,
        });
        break;
      case "issue_comment":
        expect(stored.subject).toBe(`github:${p.issue.pull_request ? "pr" : "issue"}:${repo}#${p.issue.number}`);
        break;
      case "push":
        expect(stored.github).toMatchObject({ ref: p.ref, sha: p.after });
        for (const commit of p.commits) expect(stored.keys).toContain(`github:commit:${repo}@${commit.id}`);
        if (!/^0+$/.test(p.after)) expect(stored.subject).toBe(`github:commit:${repo}@${p.after}`);
        break;
      case "deployment":
      case "deployment_status": {
        const dep = p.deployment;
        expect(stored.subject).toBe(`deploy:github:${dep.id}`);
        expect(stored.keys).toContain(`github:commit:${repo}@${dep.sha}`);
        expect(stored.deployment).toMatchObject({
          source: "github",
          deployId: String(dep.id),
          repository: repo,
          sha: dep.sha,
        });
        expect(stored.deployment!.environment).toBe(p.deployment_status?.environment ?? dep.environment);
        const state = p.deployment_status?.state;
        if (state === "success") expect(stored.deployment!.status).toBe("succeeded");
        if (state === "failure" || state === "error") {
          expect(stored.deployment!.status).toBe("failed");
          expect(stored.priority).toBe("critical");
        } else expect(stored.priority).toBe("high");
        break;
      }
      case "create":
      case "delete":
        expect(stored.github).toMatchObject({ ref: p.ref, state: p.ref_type });
        expect(stored.subject).toBe(`github:repo:${repo}`);
        break;
      case "release":
        expect(stored.github).toMatchObject({ ref: p.release.tag_name });
        break;
      case "workflow_run":
      case "check_suite": {
        const run = p[c.event];
        expect(stored.github!.sha).toBe(run.head_sha);
        expect(stored.subject).toBe(`github:commit:${repo}@${run.head_sha}`);
        for (const pr of run.pull_requests) expect(stored.keys).toContain(`github:pr:${repo}#${pr.number}`);
        break;
      }
      case "ping":
        expect(stored.priority).toBe("low");
        break;
    }
  });
});

// Every pull_request action GitHub documents; the ones the examples lack are sent as an edited example.
const PR_ACTIONS = [
  "assigned",
  "auto_merge_disabled",
  "auto_merge_enabled",
  "closed",
  "converted_to_draft",
  "demilestoned",
  "dequeued",
  "edited",
  "enqueued",
  "labeled",
  "locked",
  "milestoned",
  "opened",
  "ready_for_review",
  "reopened",
  "review_request_removed",
  "review_requested",
  "synchronize",
  "unassigned",
  "unlabeled",
  "unlocked",
];

describe("GitHub edge cases", () => {
  it("stores every pull_request action, including those without an example", async () => {
    const opened = cases.find((c) => c.event === "pull_request" && c.payload.action === "opened")!.payload;
    const missing = PR_ACTIONS.filter((a) => !cases.some((c) => c.event === "pull_request" && c.payload.action === a));
    expect(missing.length).toBeGreaterThan(0);
    for (const action of missing) {
      const res = await post(
        `${ctx.url}/webhooks/github`,
        await githubRequest("pull_request", { ...opened, action }, SECRETS.github[0]!),
      );
      expect(res.status).toBe(202);
      const stored = await waitFor(() =>
        prisma.event.findUnique({ where: { id: res.json.id }, include: { github: true } }),
      );
      expect(stored.type).toBe(`github.pull_request.${action}`);
      expect(stored.github).toMatchObject({ action, number: opened.pull_request.number });
    }
  });

  it("stores text PostgreSQL cannot hold as is: a NUL, and a title cut inside an emoji", async () => {
    const push = structuredClone(cases.find((c) => c.event === "push" && c.payload.commits?.length)!.payload);
    const repo = `text/${Date.now()}`;
    push.repository.full_name = repo;
    // Entity titles keep the first 200 UTF-16 units: this cuts the emoji in half (a lone surrogate).
    const message = `${"x".repeat(199)}\u{1F600} tail\u0000end`;
    for (const c of push.commits) c.message = message;
    push.head_commit = { ...push.head_commit, message };
    const res = await post(`${ctx.url}/webhooks/github`, await githubRequest("push", push, SECRETS.github[0]!));
    expect(res.status).toBe(202);
    const e = await waitFor(
      () => prisma.event.findUnique({ where: { id: res.json.id }, include: { raw: true } }),
      15_000,
    );
    // The verbatim body keeps the escape as sent; parsed text has U+FFFD where PostgreSQL would refuse.
    expect(e.raw!.body).toContain("tail\\u0000end");
    const sha = push.commits[0].id as string;
    const commit = await prisma.commit.findUniqueOrThrow({ where: { repository_sha: { repository: repo, sha } } });
    expect(commit.message).toBe(`${"x".repeat(199)}\u{1F600} tail\uFFFDend`);
    const entity = await prisma.entity.findUniqueOrThrow({ where: { key: `github:commit:${repo}@${sha}` } });
    expect(entity.title).toBe(`${"x".repeat(199)}\uFFFD`);
  });

  it("stores an event type it has no model for with a generic normalization", async () => {
    const star = examples.find((e) => e.name === "star")!.examples[0];
    const res = await post(`${ctx.url}/webhooks/github`, await githubRequest("star", star, SECRETS.github[0]!));
    expect(res.status).toBe(202);
    const stored = await waitFor(() =>
      prisma.event.findUnique({ where: { id: res.json.id }, include: { github: true } }),
    );
    expect(stored.type).toBe(`github.star.${star.action}`);
    expect(stored.subject).toBe(`github:repo:${star.repository.full_name.toLowerCase()}`);
    expect(stored.github!.name).toBe("star");
  });

  it("accepts form-encoded deliveries (payload=) signed over the raw form body", async () => {
    const ping = examples.find((e) => e.name === "ping")!.examples[0];
    const signed = await githubRequest("ping", ping, SECRETS.github[1]!);
    const body = new URLSearchParams({ payload: JSON.stringify(ping) }).toString();
    const { sign } = await import("@octokit/webhooks-methods");
    const headers = {
      ...signed.headers,
      "content-type": "application/x-www-form-urlencoded",
      "x-hub-signature-256": await sign(SECRETS.github[1]!, body),
    };
    const res = await post(`${ctx.url}/webhooks/github`, { headers, body });
    expect(res.status).toBe(202);
    const stored = await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id } }));
    expect(stored.type).toBe("github.ping");
  });
});
