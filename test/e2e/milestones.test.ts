import { describe, expect, it } from "vitest";
import { useTestService, useTestPrisma, waitFor } from "../helpers/service.js";
import { post } from "../../kit/sign.js";
import { prng, int } from "../../kit/prng.js";
import { story } from "../helpers/story.js";

/**
 * Milestones (contract §9) come from the graph, in the transaction of the links they tell of, once per
 * fact in any arrival order; the relay numbers every outbox row, gap-free.
 */
const ctx = useTestService({ WORKER_CONCURRENCY: "8" });
const prisma = useTestPrisma();

type Story = ReturnType<typeof story>;

async function deliverInOrder(steps: Story["steps"]) {
  for (const step of steps) {
    const res = await post(`${ctx.url}/webhooks/${step.platform}`, await step.request());
    expect(res.status, `${step.name}: ${res.text}`).toBe(202);
    await waitFor(() => prisma.event.findUnique({ where: { id: res.json.id }, select: { id: true } }));
  }
}

function shuffled<T>(items: T[], seed: number): T[] {
  const rand = prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(rand, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The story's milestones as `type subject environment`, the namespace written out of them. */
async function milestones(s: Story, types?: string[]) {
  return prisma.outboxEntry.findMany({
    where: {
      kind: "milestone",
      type: types ? { in: types } : { not: "link.created" },
      OR: [
        { subject: { contains: s.repo } },
        { subject: `linear:issue:${s.issue}` },
        { subject: { startsWith: `deploy:generic:${s.deploy("")}` } },
      ],
    },
    orderBy: { createdAt: "asc" },
  });
}

const anon = (s: Story, text: string) =>
  text.replaceAll(s.repo, "REPO").replaceAll(s.issue, "ISSUE").replaceAll(s.deploy(""), "dep-");

/** Milestones told once per fact, whatever the order (deploy.changes tells each range a deploy had). */
async function onceFacts(s: Story) {
  const rows = await milestones(s, ["pr.shipped", "issue.shipped", "pr.reverted", "deploy.rolled_back"]);
  return rows.map((r) => anon(s, `${r.type} ${r.subject} ${r.environment ?? "-"}`)).sort();
}

const ONCE = [
  "deploy.rolled_back deploy:generic:dep-us-2 production-us",
  "issue.shipped linear:issue:ISSUE production-eu",
  "issue.shipped linear:issue:ISSUE production-us",
  "issue.shipped linear:issue:ISSUE staging",
  "pr.reverted github:pr:REPO#7 -",
  "pr.shipped github:pr:REPO#7 production-eu",
  "pr.shipped github:pr:REPO#7 production-us",
  "pr.shipped github:pr:REPO#7 staging",
  "pr.shipped github:pr:REPO#8 production-eu",
].sort();

describe("milestones", () => {
  it("tells each fact of the story once, with the data subscribers need", async () => {
    const s = story("m0");
    await deliverInOrder(s.steps);
    expect(await onceFacts(s)).toEqual(ONCE);

    const [eu] = await milestones(s, ["issue.shipped"]).then((rows) =>
      rows.filter((r) => r.environment === "production-eu"),
    );
    const data = eu!.data as any;
    expect(data.deploy.key).toBe(`deploy:generic:${s.deploy("eu-1")}`);
    expect(data.deploy.environment).toBe("production-eu");
    expect(data.repository).toBe(s.repo);
    expect(data.issue.key).toBe(`linear:issue:${s.issue}`);
    expect(data.issue.title).toBeTruthy();
    expect(data.pullRequests.map((p: any) => p.key)).toEqual([`github:pr:${s.repo}#7`]);
    expect(data.pullRequests[0].url).toMatch(/\/pull\/7$/);

    // The latest range told for the eu deploy is what its changes answer says.
    const changes = (await milestones(s, ["deploy.changes"]))
      .filter((r) => r.subject === `deploy:generic:${s.deploy("eu-1")}`)
      .map((r) => r.data as any);
    const last = changes.at(-1)!;
    expect(last.rangeKnown).toBe(true);
    expect(last.previous).toBe(`deploy:generic:${s.deploy("eu-0")}`);
    expect(last.pullRequests.map((p: any) => p.key)).toEqual([`github:pr:${s.repo}#7`]);
    expect(last.issues.map((i: any) => i.key)).toEqual([`linear:issue:${s.issue}`]);

    // link.created for every link of the story, exactly once each.
    const links = await prisma.link.count({
      where: { OR: [{ fromKey: { contains: s.repo } }, { toKey: { contains: s.repo } }] },
    });
    const told = await prisma.outboxEntry.findMany({ where: { kind: "milestone", type: "link.created" } });
    const ofStory = told.filter((r) => JSON.stringify(r.data).includes(s.repo));
    const distinct = new Set(ofStory.map((r) => JSON.stringify((r.data as any).link)));
    expect(distinct.size).toBe(ofStory.length);
    expect(ofStory.length).toBeGreaterThanOrEqual(links);
  }, 60_000);

  it("tells the same facts in other arrival orders", async () => {
    const orders = Array.from({ length: 8 }, (_, i) => ({ seed: i + 1, s: story(`mo${i}`) }));
    await Promise.all(orders.map(({ seed, s }) => deliverInOrder(shuffled(s.steps, seed))));
    for (const { seed, s } of orders) expect(await onceFacts(s), `order with seed ${seed}`).toEqual(ONCE);
  }, 120_000);

  it("numbers every outbox row, gap-free, once relayed", async () => {
    await waitFor(async () => (await prisma.outboxEntry.count({ where: { position: null } })) === 0, 20_000);
    // One statement, one snapshot: other files write meanwhile. Positions 1..max are all taken, and
    // every stored event is in the outbox (the same transaction wrote both).
    const [row] = await prisma.$queryRaw<Array<{ relayed: bigint; max: bigint; events: bigint; outboxed: bigint }>>`
      SELECT count(position) AS relayed, max(position) AS max, (SELECT count(*) FROM events) AS events,
             (SELECT count(*) FROM outbox WHERE kind = 'event') AS outboxed
      FROM outbox`;
    expect(row!.relayed).toBeGreaterThan(0n);
    expect(row!.relayed).toBe(row!.max);
    expect(row!.outboxed).toBe(row!.events);
  }, 30_000);
});
