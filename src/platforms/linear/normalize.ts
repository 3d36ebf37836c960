import type { Delivery, LinearRow, NormalizedEvent } from "../../shared/event.js";
import { bounded, LIMITS, text } from "../../shared/bounds.js";
import { keysFromUrls, linearEntityKey, linearIssueKey, teamOf, uniqueKeys } from "../../shared/keys.js";
import { firstDate } from "../../shared/time.js";

type Obj = Record<string, any>;

/** `ENG-42` from an issue-like object: its identifier, or team key and number. */
function identifierOf(issue: Obj | undefined): string | null {
  if (!issue || typeof issue !== "object") return null;
  const given = text(issue.identifier)?.toUpperCase();
  if (given) return IDENTIFIER.test(given) ? given : null;
  const team = teamKeyOf(issue.team?.key);
  return team && Number.isSafeInteger(issue.number) && issue.number > 0 ? `${team}-${issue.number}` : null;
}

/** Linear's identifiers: a team key of 1–7 word characters, `-`, a number (docs/correlation.md). */
const IDENTIFIER = /^\w{1,7}-[1-9]\d{0,8}$/;
const teamKeyOf = (key: unknown) => {
  const k = text(key)?.toUpperCase();
  return k && /^\w{1,7}$/.test(k) ? k : null;
};

export function normalizeLinear(d: Delivery): NormalizedEvent {
  const p: Obj = JSON.parse(d.body);
  const data: Obj = p.data && typeof p.data === "object" ? p.data : {};
  const entityType = text(p.type) ?? "Unknown";
  const entity = d.type.split(".")[1] ?? "unknown";
  const entityId = bounded(data.id, LIMITS.nameBytes);
  let identifier: string | null = null;
  let subject: string | null = null;
  let title: string | null = text(data.title) ?? text(data.name);
  let body: string | null = null;
  switch (entityType) {
    case "Issue":
      identifier = identifierOf(data);
      break;
    case "Comment":
      identifier = identifierOf(data.issue);
      body = text(data.body);
      title = text(data.issue?.title);
      break;
    case "Attachment":
      identifier = identifierOf(data.issue);
      body = text(data.url);
      break;
  }
  if (identifier) subject = linearIssueKey(identifier);
  else if (entityId) subject = linearEntityKey(entity, entityId);
  const row: LinearRow = {
    entityType,
    action: text(p.action) ?? "unknown",
    entityId,
    identifier,
    teamKey: teamKeyOf(data.team?.key) ?? teamKeyOf(data.issue?.team?.key) ?? (identifier ? teamOf(identifier) : null),
    title,
    state: text(data.state?.name) ?? text(data.state),
    url: bounded(data.url, LIMITS.urlBytes) ?? bounded(p.url, LIMITS.urlBytes),
    actor: text(p.actor?.name) ?? text(p.actor?.id),
  };
  return {
    type: d.type,
    occurredAt: firstDate(new Date(d.receivedAt), p.action === "remove" ? p.createdAt : data.updatedAt, p.createdAt),
    actor: row.actor,
    subject,
    keys: uniqueKeys(subject, keysFromUrls(body)),
    payload: p,
    rows: { linear: row },
  };
}
