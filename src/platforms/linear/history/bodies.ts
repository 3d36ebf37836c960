import { createHash } from "node:crypto";
import type { ImportedDelivery } from "../../../import/history.js";
import { linearPriority, linearType } from "../classify.js";
import type { AttachmentNode, HistoryNode, IssueNode, StateNode, UserNode } from "./query.js";

/**
 * An issue read from Linear's API, turned into the webhook bodies Linear would have sent over its
 * life (fixtures/linear/issue_*.json, attachment_create.json): `create` at its creation in its first
 * state, an `update` with `updatedFrom.stateId` at each state change, an `update` at its last
 * `updatedAt` when that came later (title, labels … as they are now), and an Attachment `create`
 * per attachment. The API keeps only the current values of most fields: each body carries them, with
 * the state, `startedAt`, `completedAt` and `canceledAt` as they were at that moment.
 */

type Obj = Record<string, unknown>;

/** Which changes an import takes: at or after `since`, not after `now`. */
export interface HistoryWindow {
  since?: Date;
  now?: Date;
}

const ms = (iso: string) => Date.parse(iso);
const inWindow = (t: number, w: HistoryWindow) =>
  Number.isFinite(t) && (!w.since || t >= w.since.getTime()) && (!w.now || t <= w.now.getTime());

/** A part of a delivery id: Linear's ids (UUIDs) as they are, anything else hashed, so ids stay short and printable. */
const part = (s: string) =>
  /^[A-Za-z0-9._-]{1,64}$/.test(s) ? s : createHash("sha256").update(s).digest("hex").slice(0, 32);
/** `import:linear:…`: the same change gives the same id on every import, so the ingest queue drops repeats. */
export const importDeliveryId = (...parts: string[]) => `import:linear:${parts.map(part).join(":")}`;

const user = (u: UserNode | null | undefined) =>
  u ? { id: u.id, name: u.name, email: u.email ?? undefined, url: u.url ?? undefined } : undefined;
const actor = (u: UserNode | null | undefined) => (u ? { ...user(u), type: "user" } : undefined);
const state = (s: StateNode) => ({ id: s.id, color: s.color ?? undefined, name: s.name, type: s.type });

/** A timestamp as it stood at `t`: set then if it was set by then. */
const asAt = (value: string | null | undefined, t: number) => (value && ms(value) <= t ? value : null);
const MOMENTS = ["startedAt", "completedAt", "canceledAt"] as const;

/** The issue's `data` as a webhook at `at` would carry it, in state `s`. */
function issueData(i: IssueNode, s: StateNode, at: string): Obj {
  const t = ms(at);
  return {
    id: i.id,
    createdAt: i.createdAt,
    updatedAt: at,
    number: i.number,
    identifier: i.identifier,
    title: i.title,
    description: i.description ?? null,
    priority: i.priority ?? 0,
    priorityLabel: i.priorityLabel ?? undefined,
    estimate: i.estimate ?? null,
    teamId: i.team.id,
    team: { id: i.team.id, key: i.team.key, name: i.team.name },
    stateId: s.id,
    state: state(s),
    creatorId: i.creator?.id ?? null,
    creator: user(i.creator),
    assigneeId: i.assignee?.id ?? null,
    assignee: user(i.assignee),
    cycleId: i.cycle?.id ?? null,
    cycle: i.cycle ?? undefined,
    projectId: i.project?.id ?? null,
    project: i.project ?? undefined,
    labelIds: i.labels.nodes.map((l) => l.id),
    labels: i.labels.nodes.map((l) => ({ id: l.id, color: l.color ?? undefined, name: l.name })),
    startedAt: asAt(i.startedAt, t),
    completedAt: asAt(i.completedAt, t),
    canceledAt: asAt(i.canceledAt, t),
    dueDate: i.dueDate ?? null,
    url: i.url,
  };
}

function delivery(deliveryId: string, body: Obj, at: string): ImportedDelivery {
  return {
    deliveryId,
    type: linearType(body),
    priority: linearPriority(),
    body: JSON.stringify(body),
    receivedAt: new Date(ms(at)).toISOString(),
    headers: { "linear-event": String(body.type) },
  };
}

/** A webhook body's envelope around `data`, in the order Linear's fixtures show. */
function envelope(
  type: "Issue" | "Attachment",
  action: "create" | "update",
  at: string,
  data: Obj,
  url: string,
  organizationId: string | undefined,
  by: UserNode | null | undefined,
  updatedFrom?: Obj,
): Obj {
  return {
    action,
    actor: actor(by),
    createdAt: at,
    data,
    url,
    updatedFrom,
    type,
    organizationId,
    webhookTimestamp: ms(at),
  };
}

/** State changes only (from one state to another), oldest first. */
export function stateChanges(
  history: HistoryNode[],
): Array<HistoryNode & { fromState: StateNode; toState: StateNode }> {
  return history
    .filter((h): h is HistoryNode & { fromState: StateNode; toState: StateNode } =>
      Boolean(h.fromState && h.toState && h.fromState.id !== h.toState.id && Number.isFinite(ms(h.createdAt))),
    )
    .sort((a, b) => ms(a.createdAt) - ms(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The issue's Issue webhooks: its creation, its state changes, its last update; those in the window. */
export function issueDeliveries(
  i: IssueNode,
  history: HistoryNode[],
  organizationId: string | undefined,
  w: HistoryWindow = {},
): ImportedDelivery[] {
  const changes = stateChanges(history);
  const out: ImportedDelivery[] = [];
  let prev = { at: i.createdAt, state: changes[0]?.fromState ?? i.state };
  const add = (id: string, action: "create" | "update", at: string, s: StateNode, by?: UserNode | null) => {
    const t = ms(at);
    let updatedFrom: Obj | undefined;
    if (action === "update") {
      // What changed since the previous body, with its value then (Linear's `updatedFrom`).
      const before = ms(prev.at);
      updatedFrom = { updatedAt: prev.at };
      if (prev.state.id !== s.id) updatedFrom.stateId = prev.state.id;
      for (const m of MOMENTS) if (asAt(i[m], before) !== asAt(i[m], t)) updatedFrom[m] = asAt(i[m], before);
    }
    if (inWindow(t, w))
      out.push(
        delivery(id, envelope("Issue", action, at, issueData(i, s, at), i.url, organizationId, by, updatedFrom), at),
      );
    prev = { at, state: s };
  };
  add(importDeliveryId("issue", i.id, "create"), "create", i.createdAt, prev.state, i.creator);
  for (const c of changes)
    add(importDeliveryId("issue", i.id, "history", c.id), "update", c.createdAt, c.toState, c.actor);
  // Changes after the last state change (title, labels, assignee …) as one update, as the issue is now.
  if (ms(i.updatedAt) > ms(prev.at))
    add(importDeliveryId("issue", i.id, "updated", String(ms(i.updatedAt))), "update", i.updatedAt, i.state);
  return out;
}

/** The issue's attachments as Attachment `create` webhooks, those in the window. */
export function attachmentDeliveries(
  i: IssueNode,
  attachments: AttachmentNode[],
  organizationId: string | undefined,
  w: HistoryWindow = {},
): ImportedDelivery[] {
  return attachments
    .filter((a) => inWindow(ms(a.createdAt), w))
    .map((a) => {
      const data = {
        id: a.id,
        createdAt: a.createdAt,
        updatedAt: a.createdAt,
        title: a.title,
        subtitle: a.subtitle ?? null,
        url: a.url,
        creatorId: a.creator?.id ?? null,
        issueId: i.id,
        sourceType: a.sourceType ?? null,
        groupBySource: a.groupBySource ?? false,
        metadata: a.metadata ?? {},
      };
      const body = envelope("Attachment", "create", a.createdAt, data, a.url, organizationId, a.creator);
      return delivery(importDeliveryId("attachment", a.id, "create"), body, a.createdAt);
    });
}
