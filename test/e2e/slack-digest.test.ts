import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentStory } from "../../kit/incident-story.js";
import { post } from "../../kit/sign.js";
import { periodStart } from "../../src/outbound/digest/period.js";
import { startFakeSlack, type FakeSlack } from "../helpers/fake-slack.js";
import { API_TOKENS, isolatedDatabase, SECRETS, startTestService, testPrisma, waitFor } from "../helpers/service.js";
import { story } from "../helpers/story.js";

/**
 * Slack digests through the service (docs/outbound.md "Slack digests"), on a schema of its own: the
 * demo story in one hour, the incident story in the next. The digests' clock is the test's: it moves
 * past an hour's end instead of waiting for it. Rows are stored at the wall clock's time, so the test
 * places them in the hours it means (a story sent across an hour's end would otherwise split).
 */

const HOUR = 3_600_000;

describe("Slack digests", () => {
  const ns = `dg${Date.now().toString(36).slice(-4)}`;
  const s = story(ns);
  const DIGEST = "CDIGEST";
  const EACH = "CEACH";
  let svc: Awaited<ReturnType<typeof startTestService>>;
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let prisma: ReturnType<typeof testPrisma>;
  let fakeSlack: FakeSlack;
  let env: Record<string, string>;
  /** The digests' time; the wall clock's until the test moves it. */
  let now: Date | null = null;
  const options = { digestClock: () => now ?? new Date(), digestEveryMs: 50 };
  /** The hour the demo story is placed in. */
  let hour: Date;

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${svc.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_TOKENS[0]}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));
  const send = async (steps: Array<{ name: string; platform: string; request: () => unknown }>) => {
    for (const step of steps) {
      const res = await post(`${svc.url}/webhooks/${step.platform}`, (await step.request()) as never);
      expect(res.status, step.name).toBe(202);
      await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id }, select: { id: true } }));
    }
  };
  const outboxHas = (type: string) =>
    waitFor(() => prisma.outboxEntry.findFirst({ where: { type, position: { not: null } } }), 30_000);
  const digests = () => fakeSlack.posted.filter((m) => m.channel === DIGEST);

  beforeAll(async () => {
    fakeSlack = await startFakeSlack();
    db = await isolatedDatabase();
    prisma = testPrisma(db.url);
    env = {
      DATABASE_URL: db.url,
      SLACK_BOT_TOKEN: fakeSlack.token,
      SLACK_API_URL: fakeSlack.apiUrl,
      OUTBOUND_RETRY_SCHEDULE: "200ms,200ms,200ms",
      OUTBOUND_TIMEOUT_MS: "2000",
      DIGEST_DELAY_S: "60",
    };
    svc = await startTestService(env, options);
    for (const sub of [
      { name: "digest", kind: "slack", channel: DIGEST, digest: "hourly", types: ["*"] },
      // A subscription of every message, beside it: the relay hands the same rows on meanwhile.
      { name: "each", kind: "slack", channel: EACH, types: ["deploy.failed", "issue.shipped"] },
    ]) {
      const created = await call("POST", "/api/subscriptions", sub);
      expect(created.status, JSON.stringify(created.json)).toBe(201);
    }
    const sub = await prisma.subscription.findUniqueOrThrow({ where: { name: "digest" } });
    hour = periodStart(sub.updatedAt, "hourly");
    await send(s.steps);
    for (const type of ["deploy.rolled_back", "pr.reverted", "issue.shipped", "deploy.failed"]) await outboxHas(type);
    await waitFor(async () => fakeSlack.posted.filter((m) => m.channel === EACH).length >= 4, 20_000);
    // All in the subscription's hour, even if the wall clock passed its end meanwhile.
    await prisma.$executeRaw`
      UPDATE outbox SET created_at = ${new Date(hour.getTime() + HOUR - 60_000)} WHERE created_at >= ${new Date(hour.getTime() + HOUR)}`;
  }, 120_000);
  afterAll(async () => {
    await svc?.service.close();
    await Promise.all([fakeSlack?.close(), prisma?.$disconnect()]);
    await db?.drop();
  });

  it("gets no message per event, and nothing before its hour ends (and the delay after)", async () => {
    expect(await prisma.outboundMessage.count({ where: { subscription: { name: "digest" } } })).toBe(0);
    now = new Date(hour.getTime() + HOUR + 59_000);
    await sleep(500);
    expect(digests()).toEqual([]);
    expect(await prisma.digestPeriod.count()).toBe(0);
  });

  it("posts one summary of the hour: what shipped where, failures, rollbacks and reverts", async () => {
    now = new Date(hour.getTime() + HOUR + 61_000);
    const [posted] = await waitFor(async () => digests().length > 0 && digests(), 20_000);
    expect(posted!.text).toMatch(
      /^Hourly digest, \d\d:00–\d\d:00 UTC, .*: shipped to 3 places \(\d+ deploys?\), 1 failed deploy, 1 rollback, 1 revert$/,
    );
    const text = posted!.blocks.map((b: any) => b.text?.text ?? "").join("\n");
    for (const environment of ["staging", "production-us", "production-eu"])
      expect(text).toContain(`• *${environment}* · ${s.repo}: `);
    expect(text).toContain(`<https://linear.app/acme/issue/${s.issue}/checkout|${s.issue}>`);
    expect(text).toContain(`<https://github.com/${s.repo}/pull/7|PR #7>`);
    expect(text).toMatch(new RegExp(`:x: \\*Failed deploys\\*\\n• ${s.deploy("eu-2")} in \\*production-eu\\*`));
    expect(text).toContain(":rewind: *Rolled back*");
    expect(text).toContain(":leftwards_arrow_with_hook: *Reverted*");
    // Delivered like any message: its attempt log says so.
    const message = await waitFor(() =>
      prisma.outboundMessage.findFirst({ where: { subscription: { name: "digest" }, status: "succeeded" } }),
    );
    expect(await prisma.outboundMessage.count({ where: { subscription: { name: "digest" } } })).toBe(1);
    expect(message).toMatchObject({ type: "digest.hourly", status: "succeeded", attempts: 1 });
  });

  it("a digest posts once per period across a restart", async () => {
    await svc.service.close();
    svc = await startTestService(env, options);
    now = new Date(hour.getTime() + HOUR + 30 * 60_000);
    await sleep(1000);
    expect(digests()).toHaveLength(1);
    const periods = await prisma.digestPeriod.findMany();
    expect(periods).toHaveLength(1);
    expect(periods[0]!.periodStart).toEqual(hour);

    // The next hour gets its own: the incident story, placed in it.
    const [{ last }] = await prisma.$queryRaw<[{ last: Date }]>`SELECT max(created_at) AS last FROM outbox`;
    const incidents = incidentStory(ns, {
      secrets: { github: SECRETS.github[0]!, deploy: SECRETS.deploy[0]!, pagerduty: SECRETS.pagerduty[0]! },
    });
    await send(incidents.steps);
    await outboxHas("incident.linked");
    await sleep(500);
    await prisma.$executeRaw`
      UPDATE outbox SET created_at = ${new Date(hour.getTime() + HOUR + 30 * 60_000)} WHERE created_at > ${last}`;
    now = new Date(hour.getTime() + 2 * HOUR + 61_000);
    await waitFor(async () => digests().length > 1, 20_000);
    await sleep(500);
    // Still one for the first hour: every tick since the restart had it due, and left it.
    expect(digests()).toHaveLength(2);
    const next = digests()[1]!;
    // The incident story pages twice: an issue labelled Incident, and PagerDuty.
    expect(next.text).toContain("2 incidents");
    expect(next.text).not.toContain("rollback");
    const text = next.blocks.map((b: any) => b.text?.text ?? "").join("\n");
    expect(text).toContain(":rotating_light: *Incidents*");
    expect(text).toContain("Checkout answers 500 since this morning");
    expect(text).toContain("Checkout error rate above 5 %");
    expect(text).toContain(`* · ${incidents.repo}: `);
    expect(text).not.toContain(s.repo);
    expect(await prisma.digestPeriod.count()).toBe(2);
  });
});
