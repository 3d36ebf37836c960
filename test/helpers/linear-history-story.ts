import type { AttachmentNode, HistoryNode, StateNode, UserNode } from "../../src/platforms/linear/history/query.js";
import type { SeedIssue } from "./fake-linear-history.js";

/**
 * A Linear workspace's history told once, as a list of what happened to each issue, and seen two
 * ways: as the webhooks Linear sent while it happened (`storyWebhooks`), and as Linear's API shows
 * it afterwards (`storySeed`, for the loopback API): current fields, the issue history's state
 * changes, attachments. The import reads the second and must give what the first gave.
 */

export const USERS: Record<"alice" | "bob", Required<UserNode>> = {
  alice: {
    id: "9f05b89e-be61-4ee0-bc67-bdde4250a608",
    name: "Alice Nguyen",
    email: "alice@acme.dev",
    url: "https://linear.app/acme/profiles/alice",
  },
  bob: {
    id: "0241e011-db26-46c6-9dfa-7917d7beb520",
    name: "Bob Okafor",
    email: "bob@acme.dev",
    url: "https://linear.app/acme/profiles/bob",
  },
};

type StateName = "Todo" | "In Progress" | "Done" | "Canceled";
const STATE_TYPES: Record<StateName, string> = {
  Todo: "unstarted",
  "In Progress": "started",
  Done: "completed",
  Canceled: "canceled",
};
const COLORS: Record<StateName, string> = {
  Todo: "#e2e2e2",
  "In Progress": "#f2c94c",
  Done: "#5e6ad2",
  Canceled: "#95a2b3",
};
export const TEAMS = {
  ENG: { id: "ec8cc16c-5b3d-4c1c-8014-585587d7ec49", key: "ENG", name: "Engineering" },
  OPS: { id: "4c0f6a8e-2f7a-4a38-9a0e-1c5cba4e7d11", key: "OPS", name: "Operations" },
};
type TeamKey = keyof typeof TEAMS;

/** A team's workflow state, with an id stable per (team, name). */
export function stateOf(team: TeamKey, name: StateName): Required<StateNode> {
  return { id: uuid(`state|${team}|${name}`), name, type: STATE_TYPES[name], color: COLORS[name] };
}

/** A UUID-shaped id derived from a name, so the story is the same on every run. */
export function uuid(name: string): string {
  let h = 0x811c9dc5;
  const words: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (const ch of `${round}|${name}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    words.push(h.toString(16).padStart(8, "0"));
  }
  const hex = words.join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export type StoryEvent =
  | { at: string; by: keyof typeof USERS; create: StateName }
  | { at: string; by: keyof typeof USERS; move: StateName }
  | { at: string; by: keyof typeof USERS; retitle: string }
  | { at: string; by: keyof typeof USERS; attach: string };

export interface StoryIssue {
  team: TeamKey;
  number: number;
  title: string;
  labels: string[];
  events: StoryEvent[];
}

const LABELS: Record<string, { id: string; name: string; color: string }> = {
  Bug: { id: "53eada0d-95dd-4bce-9cd8-1e34c1e27e1d", name: "Bug", color: "#eb5757" },
  incident: { id: uuid("label|incident"), name: "incident", color: "#f2994a" },
};

/** Hours after `base`, as Linear writes times. */
const hoursAfter = (base: Date, h: number) => new Date(base.getTime() + h * 3_600_000).toISOString();

/** The story: two teams, issues moved through their states, retitled, with pull requests attached. */
export function linearStory(base: Date): StoryIssue[] {
  const at = (h: number) => hoursAfter(base, h);
  return [
    {
      team: "ENG",
      number: 1,
      title: "Checkout page times out on slow networks",
      labels: ["Bug", "incident"],
      events: [
        { at: at(0), by: "bob", create: "Todo" },
        { at: at(2), by: "alice", move: "In Progress" },
        { at: at(3), by: "alice", attach: "https://github.com/acme/web/pull/7" },
        { at: at(9), by: "alice", move: "Done" },
      ],
    },
    {
      team: "ENG",
      number: 2,
      title: "Retry payment webhooks",
      labels: [],
      events: [
        { at: at(1), by: "alice", create: "In Progress" },
        { at: at(4), by: "alice", attach: "https://github.com/acme/web/pull/8" },
        { at: at(5), by: "alice", attach: "https://github.com/acme/api/pull/21" },
        { at: at(6), by: "bob", retitle: "Retry payment webhooks with backoff" },
      ],
    },
    {
      team: "ENG",
      number: 3,
      title: "Drop the legacy cart",
      labels: [],
      events: [
        { at: at(2), by: "bob", create: "Todo" },
        { at: at(7), by: "bob", move: "Canceled" },
      ],
    },
    {
      team: "ENG",
      number: 4,
      title: "Dark mode",
      labels: [],
      events: [{ at: at(3), by: "bob", create: "Todo" }],
    },
    {
      team: "ENG",
      number: 5,
      title: "Flaky login test",
      labels: ["Bug"],
      events: [
        { at: at(4), by: "alice", create: "Todo" },
        { at: at(5), by: "alice", move: "In Progress" },
        { at: at(6), by: "alice", move: "Todo" },
        { at: at(8), by: "alice", move: "In Progress" },
        { at: at(10), by: "alice", attach: "https://github.com/acme/web/pull/9" },
      ],
    },
    {
      team: "ENG",
      number: 6,
      title: "Upgrade Node",
      labels: [],
      events: [
        { at: at(5), by: "bob", create: "Todo" },
        { at: at(11), by: "bob", move: "In Progress" },
        { at: at(12), by: "bob", move: "Done" },
      ],
    },
    {
      team: "OPS",
      number: 1,
      title: "Checkout 5xx spike",
      labels: ["incident"],
      events: [
        { at: at(6), by: "bob", create: "Todo" },
        { at: at(6.5), by: "bob", move: "In Progress" },
        { at: at(7), by: "alice", attach: "https://github.com/acme/web/pull/10" },
        { at: at(8), by: "bob", move: "Done" },
      ],
    },
    {
      team: "OPS",
      number: 2,
      title: "Rotate the database password",
      labels: [],
      events: [{ at: at(9), by: "bob", create: "Todo" }],
    },
  ];
}

const identifierOf = (s: StoryIssue) => `${s.team}-${s.number}`;
const issueId = (s: StoryIssue) => uuid(`issue|${identifierOf(s)}`);
const urlOf = (s: StoryIssue, title: string) =>
  `https://linear.app/acme/issue/${identifierOf(s)}/${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
const attachmentId = (s: StoryIssue, url: string) => uuid(`attachment|${identifierOf(s)}|${url}`);
const historyId = (s: StoryIssue, at: string) => uuid(`history|${identifierOf(s)}|${at}`);
const isState = (e: StoryEvent): e is Extract<StoryEvent, { create: StateName } | { move: StateName }> =>
  "create" in e || "move" in e;
const stateNameOf = (e: StoryEvent) => ("create" in e ? e.create : "move" in e ? e.move : null);

/** startedAt, completedAt, canceledAt as Linear keeps them after the state changes up to `until`. */
function moments(s: StoryIssue, until: number) {
  let startedAt: string | null = null;
  let completedAt: string | null = null;
  let canceledAt: string | null = null;
  for (const e of s.events) {
    const name = stateNameOf(e);
    if (!name || Date.parse(e.at) > until) continue;
    const type = STATE_TYPES[name];
    if (type === "started" && !startedAt) startedAt = e.at;
    completedAt = type === "completed" ? e.at : null;
    canceledAt = type === "canceled" ? e.at : null;
  }
  return { startedAt, completedAt, canceledAt };
}

const prOf = (url: string) => /github\.com\/([^/]+)\/([^/]+)\/pull\/(\d+)/.exec(url)!;

function attachmentNode(s: StoryIssue, e: Extract<StoryEvent, { attach: string }>): Required<AttachmentNode> {
  const [, owner, repo, number] = prOf(e.attach);
  return {
    id: attachmentId(s, e.attach),
    title: `PR #${number}`,
    subtitle: `${owner}/${repo} · Open`,
    url: e.attach,
    sourceType: "github",
    groupBySource: true,
    metadata: { status: "open", number: Number(number), repoLogin: owner, repoName: repo, url: e.attach },
    createdAt: e.at,
    updatedAt: e.at,
    creator: USERS[e.by],
  };
}

/** The story as Linear's API shows it afterwards: the loopback API's issues. */
export function storySeed(story: StoryIssue[]): SeedIssue[] {
  return story.map((s) => {
    const changes = s.events.filter((e) => !("attach" in e));
    const created = s.events[0]!;
    const last = changes.at(-1)!;
    const title = [...changes].reverse().find((e) => "retitle" in e) as { retitle: string } | undefined;
    const states = s.events.filter(isState);
    const history: HistoryNode[] = [];
    for (let k = 1; k < states.length; k++)
      history.push({
        id: historyId(s, states[k]!.at),
        createdAt: states[k]!.at,
        actor: USERS[states[k]!.by],
        fromState: stateOf(s.team, stateNameOf(states[k - 1]!)!),
        toState: stateOf(s.team, stateNameOf(states[k]!)!),
      });
    // History entries that are not state changes: the creation's, and retitles.
    history.push({
      id: historyId(s, `${created.at}|created`),
      createdAt: created.at,
      actor: USERS[created.by],
      toState: stateOf(s.team, stateNameOf(created)!),
    });
    for (const e of s.events)
      if ("retitle" in e) history.push({ id: historyId(s, e.at), createdAt: e.at, actor: USERS[e.by] });
    const currentTitle = title?.retitle ?? s.title;
    return {
      id: issueId(s),
      identifier: identifierOf(s),
      number: s.number,
      title: currentTitle,
      description: `${currentTitle}: see the linked pull requests.`,
      priority: 2,
      priorityLabel: "High",
      estimate: null,
      url: urlOf(s, s.title),
      createdAt: created.at,
      updatedAt: last.at,
      ...moments(s, Infinity),
      dueDate: null,
      team: TEAMS[s.team],
      state: stateOf(s.team, stateNameOf(states.at(-1)!)!),
      labels: { nodes: s.labels.map((l) => LABELS[l]!) },
      assignee: USERS.alice,
      creator: USERS[created.by],
      project: null,
      cycle: null,
      history,
      attachments: s.events
        .filter((e): e is Extract<StoryEvent, { attach: string }> => "attach" in e)
        .map((e) => attachmentNode(s, e)),
    };
  });
}

/** The story as the webhooks Linear sent while it happened, oldest first (webhookTimestamp is the signer's). */
export function storyWebhooks(story: StoryIssue[], organizationId: string): Array<Record<string, unknown>> {
  const out: Array<{ at: string; body: Record<string, unknown> }> = [];
  for (const s of story) {
    let state: StateName = "Todo";
    let title = s.title;
    let prevAt = s.events[0]!.at;
    for (const e of s.events) {
      const actor = { ...USERS[e.by], type: "user" };
      if ("attach" in e) {
        const a = attachmentNode(s, e);
        const { creator, ...rest } = a;
        out.push({
          at: e.at,
          body: {
            action: "create",
            actor,
            createdAt: e.at,
            data: { ...rest, creatorId: creator?.id, issueId: issueId(s) },
            url: e.attach,
            type: "Attachment",
            organizationId,
          },
        });
        continue;
      }
      const before = { state, at: prevAt };
      if ("create" in e) state = e.create;
      if ("move" in e) state = e.move;
      if ("retitle" in e) title = e.retitle;
      const t = Date.parse(e.at);
      const data = {
        id: issueId(s),
        createdAt: s.events[0]!.at,
        updatedAt: e.at,
        number: s.number,
        identifier: identifierOf(s),
        title,
        description: `${title}: see the linked pull requests.`,
        priority: 2,
        priorityLabel: "High",
        teamId: TEAMS[s.team].id,
        team: TEAMS[s.team],
        stateId: stateOf(s.team, state).id,
        state: stateOf(s.team, state),
        assigneeId: USERS.alice.id,
        labelIds: s.labels.map((l) => LABELS[l]!.id),
        labels: s.labels.map((l) => LABELS[l]!),
        ...moments(s, t),
        url: urlOf(s, s.title),
      };
      const body: Record<string, unknown> = {
        action: "create" in e ? "create" : "update",
        actor,
        createdAt: e.at,
        data,
        url: data.url,
        type: "Issue",
        organizationId,
      };
      if (!("create" in e))
        body.updatedFrom = {
          updatedAt: before.at,
          ...(before.state !== state ? { stateId: stateOf(s.team, before.state).id } : {}),
          ...("retitle" in e ? { title: s.title } : {}),
        };
      out.push({ at: e.at, body });
      prevAt = e.at;
    }
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).map((x) => x.body);
}
