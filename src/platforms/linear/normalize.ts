import type { Delivery, LinearRow, NormalizedEvent } from "../../shared/event.js";
import { keysFromUrls, linearIssueKey, uniqueKeys } from "../../shared/keys.js";
import { firstDate } from "../../shared/time.js";

type Obj = Record<string, any>;

/** `ENG-42` from an issue-like object: its identifier, or team key and number. */
function identifierOf(issue: Obj | undefined): string | null {
  if (!issue) return null;
  if (typeof issue.identifier === "string") return issue.identifier.toUpperCase();
  const team = issue.team?.key;
  return team && Number.isInteger(issue.number) ? `${String(team).toUpperCase()}-${issue.number}` : null;
}

export function normalizeLinear(d: Delivery): NormalizedEvent {
  const p: Obj = JSON.parse(d.body);
  const data: Obj = p.data ?? {};
  const entityType = String(p.type ?? "Unknown");
  const entity = d.type.split(".")[1] ?? "unknown";
  let identifier: string | null = null;
  let subject: string | null = null;
  let title: string | null = data.title ?? data.name ?? null;
  let text: string | null = null;
  switch (entityType) {
    case "Issue":
      identifier = identifierOf(data);
      break;
    case "Comment":
      identifier = identifierOf(data.issue);
      text = data.body ?? null;
      title = data.issue?.title ?? null;
      break;
    case "Attachment":
      identifier = identifierOf(data.issue);
      text = data.url ?? null;
      break;
  }
  if (identifier) subject = linearIssueKey(identifier);
  else if (data.id) subject = `linear:${entity}:${data.id}`;
  const row: LinearRow = {
    entityType,
    action: String(p.action ?? "unknown"),
    entityId: data.id ?? null,
    identifier,
    teamKey: data.team?.key ?? data.issue?.team?.key ?? identifier?.split("-")[0] ?? null,
    title,
    state: data.state?.name ?? (typeof data.state === "string" ? data.state : null),
    url: data.url ?? p.url ?? null,
    actor: p.actor?.name ?? p.actor?.id ?? null,
  };
  return {
    type: d.type,
    occurredAt: firstDate(new Date(d.receivedAt), p.action === "remove" ? p.createdAt : data.updatedAt, p.createdAt),
    actor: row.actor,
    subject,
    keys: uniqueKeys(subject, keysFromUrls(text)),
    payload: p,
    rows: { linear: row },
  };
}
