import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HistoryResource, ImportedDelivery } from "../../../src/import/history.js";
import { linearHistory, type LinearHistoryOptions } from "../../../src/platforms/linear/history/source.js";
import { normalizeLinear } from "../../../src/platforms/linear/normalize.js";
import type { Delivery } from "../../../src/shared/event.js";
import { startFakeLinearHistory, type FakeLinearHistory, type SeedIssue } from "../../helpers/fake-linear-history.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { linearStory, storySeed, type StoryIssue } from "../../helpers/linear-history-story.js";

const fixtures = loadFixtures("linear");
const BASE = new Date("2026-11-02T09:00:00.000Z");
const story: StoryIssue[] = linearStory(BASE);
let fake: FakeLinearHistory;

beforeAll(async () => {
  fake = await startFakeLinearHistory();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.issues = storySeed(story);
  fake.reset();
});

/** Small pages and nested connections, so a few issues span pages and follow-ups; quick retries. */
const reader = (o: Partial<LinearHistoryOptions> = {}) =>
  linearHistory({
    apiKey: fake.apiKey,
    apiUrl: fake.apiUrl,
    pageSize: 3,
    nestedSize: { history: 2, attachments: 1 },
    retry: { baseMs: 5 },
    ...o,
  });
const issuesOf = (o: Partial<LinearHistoryOptions> = {}) => reader(o).resources.find((r) => r.name === "issues")!;

/** Every page from `cursor` on: the deliveries, and the cursor after each page. */
async function readAll(r: HistoryResource, cursor: string | null = null, maxPages = Infinity) {
  const deliveries: ImportedDelivery[] = [];
  const cursors: Array<string | null> = [];
  let items = 0;
  for (let n = 0; n < maxPages; n++) {
    const page = await r.page(cursor);
    deliveries.push(...page.deliveries);
    items += page.items;
    cursors.push(page.next);
    cursor = page.next;
    if (!cursor) break;
  }
  return { deliveries, cursors, items };
}

const bodyOf = (d: ImportedDelivery) => JSON.parse(d.body) as Record<string, any>;
const asDelivery = (d: ImportedDelivery): Delivery =>
  ({ ...d, platform: "linear", contentType: "application/json", headers: d.headers ?? {} }) as unknown as Delivery;

/** What the story says an import of it from `since` must give: one id per creation, state change, attachment, later edit. */
function expected(s: StoryIssue[], since = -Infinity) {
  const out: string[] = [];
  for (const i of s) {
    const changes = i.events.filter((e) => !("attach" in e));
    if (Date.parse(changes.at(-1)!.at) < since) continue;
    for (const e of i.events) {
      if (Date.parse(e.at) < since) continue;
      const label =
        "create" in e ? "create" : "move" in e ? `move:${e.move}` : "attach" in e ? `attach:${e.attach}` : "edit";
      // A retitle after the last state change is the issue's last update; one before it is not seen.
      if (label === "edit" && e !== changes.at(-1)) continue;
      out.push(`${i.team}-${i.number} ${label}`);
    }
  }
  return out.sort();
}

/** The same labels, read back from imported bodies. */
function labels(ds: ImportedDelivery[], seed: SeedIssue[]) {
  const byId = new Map(seed.map((i) => [i.id, i.identifier]));
  return ds
    .map((d) => {
      const b = bodyOf(d);
      if (b.type === "Attachment") return `${byId.get(b.data.issueId)} attach:${b.data.url}`;
      if (b.action === "create") return `${b.data.identifier} create`;
      return `${b.data.identifier} ${b.updatedFrom.stateId ? `move:${b.data.state.name}` : "edit"}`;
    })
    .sort();
}

describe("linearHistory", () => {
  it("reads every issue, state change and attachment exactly once, as the receiver would classify them", async () => {
    const { deliveries, items, cursors } = await readAll(issuesOf());
    expect(items).toBe(story.length);
    expect(cursors.length).toBe(Math.ceil(story.length / 3));
    expect(labels(deliveries, fake.issues)).toEqual(expected(story));
    const ids = deliveries.map((d) => d.deliveryId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of deliveries) {
      expect(d.deliveryId).toMatch(/^import:linear:[\x21-\x7e]{1,186}$/);
      const b = bodyOf(d);
      expect(d.type).toBe(b.type === "Attachment" ? "linear.attachment.create" : `linear.issue.${b.action}`);
      expect(d.priority).toBe("normal");
      expect(d.receivedAt).toBe(new Date(b.createdAt).toISOString());
      expect(b.webhookTimestamp).toBe(Date.parse(b.createdAt));
      expect(b.organizationId).toBe(fake.organizationId);
    }
    // The nested connections overflowed (history 2, attachments 1 a page) and were followed up.
    expect(fake.calls.map((c) => c.operation)).toContain("SwitchyardHistoryIssueHistory");
    expect(fake.calls.map((c) => c.operation)).toContain("SwitchyardHistoryIssueAttachments");
  });

  it("replays each issue's states in order, so the last body of each issue is the issue as it is now", async () => {
    const { deliveries } = await readAll(issuesOf());
    const last = new Map<string, ReturnType<typeof normalizeLinear>>();
    const sorted = [...deliveries].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    for (const d of sorted) {
      const e = normalizeLinear(asDelivery(d));
      if (e.rows.linear!.entityType === "Issue") last.set(e.subject!, e);
    }
    for (const seed of fake.issues) {
      const e = last.get(`linear:issue:${seed.identifier}`)!;
      expect(e.rows.linear).toMatchObject({
        identifier: seed.identifier,
        state: seed.state.name,
        title: seed.title,
        teamKey: seed.team.key,
      });
      expect(e.occurredAt.toISOString()).toBe(seed.updatedAt);
      const data = (e.payload as any).data;
      expect([data.startedAt, data.completedAt, data.canceledAt]).toEqual([
        seed.startedAt,
        seed.completedAt,
        seed.canceledAt,
      ]);
    }
    // ENG-5 went In Progress, back to Todo, In Progress again: each change at its own time, from the state before.
    const eng5 = sorted.map(bodyOf).filter((b) => b.data.identifier === "ENG-5" && b.updatedFrom?.stateId);
    expect(eng5.map((b) => [b.data.state.name, b.updatedFrom.stateId])).toEqual([
      [
        "In Progress",
        fake.issues
          .find((i) => i.identifier === "ENG-5")!
          .history.find((h) => h.toState?.name === "Todo" && !h.fromState)!.toState!.id,
      ],
      ["Todo", eng5[0]!.data.stateId],
      ["In Progress", eng5[1]!.data.stateId],
    ]);
    expect(eng5[0]!.data.startedAt).toBe(eng5[0]!.createdAt);
  });

  it("makes the bodies Linear's webhooks carry (fixtures/linear), read the same by normalize", async () => {
    const create = fixtures.issue_create!.payload;
    const update = fixtures.issue_update!.payload;
    const attachment = fixtures.attachment_create!.payload;
    const { type: _t, ...alice } = update.actor;
    const now = update.data;
    fake.issues = [
      {
        ...(Object.fromEntries(
          [
            "id",
            "identifier",
            "number",
            "title",
            "description",
            "priority",
            "priorityLabel",
            "estimate",
            "url",
            "createdAt",
            "updatedAt",
            "startedAt",
            "completedAt",
            "canceledAt",
            "dueDate",
            "team",
            "state",
            "assignee",
            "creator",
            "project",
            "cycle",
          ].map((k) => [k, now[k]]),
        ) as any),
        labels: { nodes: now.labels },
        history: [
          {
            id: "5bb6e9bd-8c41-4b9a-a1a1-6c7cd1e1f2a0",
            createdAt: update.createdAt,
            actor: alice,
            fromState: create.data.state,
            toState: now.state,
          },
          // An assignment: no state change, no body.
          { id: "0f3d1e55-2d5c-4f55-b5c4-8d4ee3f0d6b1", createdAt: update.createdAt, actor: alice },
        ],
        attachments: [
          {
            ...(Object.fromEntries(
              [
                "id",
                "title",
                "subtitle",
                "url",
                "sourceType",
                "groupBySource",
                "metadata",
                "createdAt",
                "updatedAt",
              ].map((k) => [k, attachment.data[k]]),
            ) as any),
            creator: alice,
          },
        ],
      },
    ];
    const { deliveries } = await readAll(issuesOf({ nestedSize: undefined, pageSize: undefined }));
    expect(deliveries.map((d) => d.type)).toEqual([
      "linear.issue.create",
      "linear.issue.update",
      "linear.attachment.create",
    ]);
    // What the API does not give (ordering, subscribers, reactions …) and the webhook's own delivery fields.
    const UNREAD = [
      "prioritySortOrder",
      "sortOrder",
      "previousIdentifiers",
      "subscriberIds",
      "releases",
      "reactionData",
      "addedToTeamAt",
      "addedToCycleAt",
      "addedToProjectAt",
    ];
    const webhookOf = (f: Record<string, any>) => {
      const { webhookId: _i, webhookTimestamp: _w, data, ...rest } = f;
      return { ...rest, data: Object.fromEntries(Object.entries(data).filter(([k]) => !UNREAD.includes(k))) };
    };
    const imported = deliveries.map((d) => {
      const { webhookTimestamp: _w, ...b } = bodyOf(d);
      return b;
    });
    expect(imported).toEqual([webhookOf(create), webhookOf(update), webhookOf(attachment)]);
    // normalize reads each exactly as it reads the webhook.
    for (const [d, f] of [
      [deliveries[0]!, create],
      [deliveries[1]!, update],
      [deliveries[2]!, attachment],
    ] as const) {
      const fromImport = normalizeLinear(asDelivery(d));
      const fromWebhook = normalizeLinear(asDelivery({ ...d, body: JSON.stringify(f) }));
      expect({ ...fromImport, payload: null }).toEqual({ ...fromWebhook, payload: null });
    }
  });

  it("waits out Linear's rate limit until the reset it names, then reads the page", async () => {
    fake.rateLimitOnce(1000);
    const started = Date.now();
    const page = await issuesOf().page(null);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(page.items).toBe(3);
    expect(fake.calls.slice(0, 2).map((c) => [c.operation, c.status])).toEqual([
      ["SwitchyardHistoryIssues", 400],
      ["SwitchyardHistoryIssues", 200],
    ]);
  });

  it("waits for the complexity budget's reset too", async () => {
    fake.rateLimitOnce(1000, "complexity");
    const started = Date.now();
    await issuesOf().page(null);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("retries a page that fails mid-way and reads on", async () => {
    const full = await readAll(issuesOf());
    fake.calls.length = 0;
    const second = full.cursors[0]!;
    fake.failPage(second, 2);
    const again = await readAll(issuesOf());
    expect(again.deliveries.map((d) => d.deliveryId)).toEqual(full.deliveries.map((d) => d.deliveryId));
    const pageCalls = fake.calls.filter(
      (c) => c.operation === "SwitchyardHistoryIssues" && c.variables.after === second,
    );
    expect(pageCalls.map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it("throws once a page keeps failing, and that page reads later from the same cursor", async () => {
    const first = await issuesOf().page(null);
    fake.failPage(first.next, 10);
    await expect(issuesOf({ retry: { attempts: 3, baseMs: 5 } }).page(first.next)).rejects.toThrow(
      /Linear: .*Internal server error/,
    );
    expect(fake.calls.filter((c) => c.status === 500)).toHaveLength(3);
    fake.failPage(first.next, 0);
    expect((await issuesOf().page(first.next)).items).toBe(3);
  });

  it("does not retry a refused key", async () => {
    await expect(issuesOf({ apiKey: "lin_api_wrong" }).page(null)).rejects.toThrow(/Authentication required/);
    expect(fake.calls).toHaveLength(1);
  });

  it("resumes from a saved cursor without gaps or repeats", async () => {
    const full = await readAll(issuesOf());
    const k = 2;
    const head = await readAll(issuesOf(), null, k);
    expect(head.cursors.at(-1)).toBeTruthy();
    // A new reader (another process, after a restart) from the cursor saved after page k.
    const tail = await readAll(issuesOf(), head.cursors.at(-1)!);
    const ids = [...head.deliveries, ...tail.deliveries].map((d) => d.deliveryId);
    expect(ids).toEqual(full.deliveries.map((d) => d.deliveryId));
    expect(head.items + tail.items).toBe(story.length);
  });

  it("reads only issues updated since `since`, and their changes since", async () => {
    const since = new Date(BASE.getTime() + 7 * 3_600_000);
    const { deliveries } = await readAll(issuesOf({ since }));
    expect(labels(deliveries, fake.issues)).toEqual(expected(story, since.getTime()));
    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) expect(Date.parse(d.receivedAt)).toBeGreaterThanOrEqual(since.getTime());
    expect(fake.calls[0]!.variables.filter).toEqual({ updatedAt: { gte: since.toISOString() } });
  });

  it("leaves changes after `now` to webhooks and the next import", async () => {
    const now = new Date(BASE.getTime() + 5 * 3_600_000);
    const { deliveries } = await readAll(issuesOf({ now }));
    const all = await readAll(issuesOf());
    const before = all.deliveries.filter((d) => Date.parse(d.receivedAt) <= now.getTime());
    expect(before.length).toBeLessThan(all.deliveries.length);
    expect(deliveries.map((d) => d.deliveryId)).toEqual(before.map((d) => d.deliveryId));
  });

  it("reads one team's issues with `team`", async () => {
    const source = reader({ team: "ops" });
    expect(source).toMatchObject({ platform: "linear", scope: "OPS" });
    const { deliveries, items } = await readAll(source.resources[0]!);
    expect(items).toBe(story.filter((s) => s.team === "OPS").length);
    expect(labels(deliveries, fake.issues)).toEqual(expected(story.filter((s) => s.team === "OPS")));
    expect(fake.calls[0]!.variables.filter).toEqual({ team: { key: { eq: "OPS" } } });
    expect(reader().scope).toBe("*");
  });

  it("gives the same ids on a second read, so a re-import adds nothing", async () => {
    const a = await readAll(issuesOf());
    const b = await readAll(issuesOf({ pageSize: 5 }));
    expect(b.deliveries.map((d) => d.deliveryId).sort()).toEqual(a.deliveries.map((d) => d.deliveryId).sort());
  });
});
