import { beforeAll, afterAll, describe, expect, it } from "vitest";
import { linearRequest, post } from "../../kit/sign.js";
import { apiCall } from "../helpers/api-call.js";
import { startFakeLinearHistory, type FakeLinearHistory } from "../helpers/fake-linear-history.js";
import { linearStory, storySeed, storyWebhooks } from "../helpers/linear-history-story.js";
import { SECRETS, useIsolatedService, waitFor } from "../helpers/service.js";

/**
 * Issue 17: a Linear team's history imported through the API gives the graph its webhooks gave.
 * The same story (test/helpers/linear-history-story.ts) is sent as signed webhooks to one service
 * and served by a loopback Linear API to another, which imports it with `POST /api/imports`; both
 * end with the same entities and links. A second import adds nothing.
 */
const BASE = new Date(Date.now() - 3 * 86_400_000);
const story = linearStory(BASE);
const TEAM = "ENG";

let fake: FakeLinearHistory;
const importEnv: Record<string, string> = {};
beforeAll(async () => {
  // Both teams are served; the import asks for one.
  fake = await startFakeLinearHistory(storySeed(story));
  Object.assign(importEnv, { LINEAR_API_KEY: fake.apiKey, LINEAR_API_URL: fake.apiUrl });
});
afterAll(() => fake?.close());

// Registered after the hook above: the importing service starts with the fake's URL in its env.
const webhooks = useIsolatedService();
const imported = useIsolatedService(importEnv);

type Prisma = (typeof webhooks)["prisma"];

/**
 * The graph as sets: entities (key, kind, title, state, url), links (from, to, relation, rule), and
 * the incidents Linear's incident label made (status and its times), sorted.
 */
async function graphOf(prisma: Prisma) {
  const entities = await prisma.entity.findMany({
    select: { key: true, kind: true, title: true, state: true, url: true },
  });
  const links = await prisma.link.findMany({ select: { fromKey: true, toKey: true, relation: true, rule: true } });
  const incidents = await prisma.incident.findMany({
    select: { key: true, status: true, title: true, openedAt: true, acknowledgedAt: true, resolvedAt: true },
  });
  return {
    entities: entities.map((e) => JSON.stringify(e)).sort(),
    incidents: incidents.map((i) => JSON.stringify(i)).sort(),
    links: links.map((l) => `${l.fromKey} -[${l.relation}/${l.rule}]-> ${l.toKey}`).sort(),
  };
}

/** Imports the team's history and waits for the job to complete; its final answer. */
async function importTeam(since: Date) {
  const call = apiCall(imported);
  const started = await call("POST", "/api/imports", { platform: "linear", team: TEAM, since: since.toISOString() });
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  const id = started.json.job ?? started.json.id;
  return waitFor(async () => {
    const job = await call("GET", `/api/jobs/${id}`);
    expect(job.status).toBe(200);
    if (job.json.state === "failed") expect.fail(`import failed: ${JSON.stringify(job.json)}`);
    return job.json.state === "completed" ? job.json : null;
  }, 30_000);
}

/** Until the service's ingest queue has nothing left to process. */
const drained = (svc: { url: string }) =>
  waitFor(async () => {
    const q = (await apiCall(svc)("GET", "/api/queue")).json;
    return q.waiting + q.prioritized + q.active + q.delayed === 0;
  });

describe("Linear history import", () => {
  it("gives the graph the team's webhooks gave, and a second import adds nothing", async () => {
    const teamStory = story.filter((s) => s.team === TEAM);
    const bodies = storyWebhooks(teamStory, fake.organizationId);
    for (const body of bodies) {
      const res = await post(`${webhooks.url}/webhooks/linear`, linearRequest(body, SECRETS.linear[0]!));
      expect(res.status, res.text).toBe(202);
    }
    await waitFor(async () => (await webhooks.prisma.event.count()) === bodies.length, 20_000);
    await drained(webhooks);
    const expected = await graphOf(webhooks.prisma);
    // The story's issues, their pull requests and the attachment links between them are all there,
    // and ENG-1's incident label made an incident, resolved when the issue was done.
    expect(expected.entities.filter((e) => e.includes('"kind":"linear.issue"'))).toHaveLength(teamStory.length);
    expect(expected.links.filter((l) => l.includes("linear-attachment"))).toHaveLength(
      teamStory.flatMap((s) => s.events.filter((e) => "attach" in e)).length,
    );
    expect(expected.incidents).toHaveLength(1);
    expect(JSON.parse(expected.incidents[0]!)).toMatchObject({ key: "incident:linear:ENG-1", status: "resolved" });

    await importTeam(new Date(BASE.getTime() - 86_400_000));
    await drained(imported);
    const got = await waitFor(async () => {
      const g = await graphOf(imported.prisma);
      return JSON.stringify(g) === JSON.stringify(expected) ? g : null;
    }, 20_000).catch(() => graphOf(imported.prisma));
    expect(got).toEqual(expected);
    // Only the asked team was read.
    expect(got.entities.some((e) => e.includes("linear:issue:OPS-"))).toBe(false);

    const events = await imported.prisma.event.count();
    const deliveries = await imported.prisma.rawDelivery.count();
    expect(events).toBeGreaterThan(0);
    await importTeam(new Date(BASE.getTime() - 86_400_000));
    await drained(imported);
    expect(await imported.prisma.rawDelivery.count()).toBe(deliveries);
    expect(await imported.prisma.event.count()).toBe(events);
    expect(await graphOf(imported.prisma)).toEqual(expected);
  });
});
