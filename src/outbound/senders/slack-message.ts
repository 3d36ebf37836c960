import type { DeployRef, EntityRef, MessageBody, MilestoneData } from "../../shared/outbound.js";
import { keyLabel, PREFIX } from "../../shared/keys.js";
import { entityLabel } from "./labels.js";

/**
 * The Slack message of a subscription message (contract §9 `kind: "slack"`): one short line with links
 * in a `section`, details in a `context`, and the same line as plain `text` (Slack's notification
 * fallback, always set). Pure: slack.ts posts it.
 */

/** The blocks used here; structurally Block Kit's `SectionBlock` and `ContextBlock`. */
export type SlackBlock =
  | { type: "section"; text: { type: "mrkdwn"; text: string } }
  | { type: "context"; elements: Array<{ type: "mrkdwn"; text: string }> };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's control characters, escaped as its formatting rules require (in text and in link labels). */
export const escapeSlack = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** How many PRs and issues a `deploy.changes` message lists. */
const LIST_MAX = 5;

/**
 * A link target Slack can show: http(s) only (anything else is left as a plain label), with the
 * characters that would end Slack's `<url|label>` syntax percent-encoded.
 */
export function safeUrl(url: string | null | undefined): string | null {
  if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return null;
  return url.replace(/[|<>\s]/g, (c) => encodeURIComponent(c));
}

// ---- Lines: pieces rendered twice, as mrkdwn with links and as plain text ----

interface Link {
  label: string;
  url?: string | null;
  bold?: boolean;
}
type Piece = string | Link;

function mrkdwn(pieces: Piece[]): string {
  return pieces
    .map((p) => {
      if (typeof p === "string") return escapeSlack(p);
      const url = safeUrl(p.url);
      const label = url ? `<${url}|${escapeSlack(p.label)}>` : escapeSlack(p.label);
      return p.bold ? `*${label}*` : label;
    })
    .join("");
}

const plain = (pieces: Piece[]) => escapeSlack(pieces.map((p) => (typeof p === "string" ? p : p.label)).join(""));

const entity = (ref: EntityRef, repository: string | null, bold = false): Piece => ({
  label: entityLabel(ref, repository),
  url: ref.url,
  bold,
});
const shortEntity = (ref: EntityRef, repository: string | null): Piece => ({
  label: keyLabel(ref.key, repository),
  url: ref.url,
});
const deployPiece = (d: DeployRef): Link => ({ label: keyLabel(d.key), url: d.url });

/** `a, b, c` as pieces. */
const joined = (items: Piece[], sep = ", "): Piece[] => items.flatMap((p, i) => (i ? [sep, p] : [p]));

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The small print: repository, short SHA, service; what is known, in that order. */
const details = (...parts: Array<string | null | undefined>): SlackBlock | null => {
  const present = parts.filter((p): p is string => typeof p === "string" && p.length > 0);
  return present.length
    ? { type: "context", elements: [{ type: "mrkdwn", text: escapeSlack(present.join(" · ")) }] }
    : null;
};

function message(icon: string, line: Piece[], ...more: Array<SlackBlock | null>): SlackMessage {
  return {
    text: plain(line),
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${icon} ${mrkdwn(line)}` } },
      ...more.filter((b): b is SlackBlock => b !== null),
    ],
  };
}

const deployDetails = (d: DeployRef) =>
  details(d.repository, d.sha ? d.sha.slice(0, 7) : null, d.service && d.service !== d.repository ? d.service : null);

// ---- One builder per type ----

function issueShipped(d: MilestoneData["issue.shipped"]): SlackMessage {
  const prs = d.pullRequests.map((pr) => shortEntity(pr, d.repository));
  return message(
    ":rocket:",
    [
      entity(d.issue, d.repository, true),
      " shipped to ",
      { label: d.environment, bold: true },
      " by deploy ",
      deployPiece(d.deploy),
      ...(prs.length ? [" · ", ...joined(prs)] : []),
    ],
    deployDetails(d.deploy),
  );
}

function prShipped(d: MilestoneData["pr.shipped"]): SlackMessage {
  return message(
    ":rocket:",
    [
      entity(d.pullRequest, d.repository, true),
      " shipped to ",
      { label: d.environment, bold: true },
      " by deploy ",
      deployPiece(d.deploy),
    ],
    deployDetails(d.deploy),
  );
}

function deployChanges(d: MilestoneData["deploy.changes"]): SlackMessage {
  const counts = [
    plural(d.commits.length, "commit"),
    plural(d.pullRequests.length, "PR"),
    plural(d.issues.length, "issue"),
  ].join(", ");
  const what = d.rangeKnown ? counts : `range unknown${d.previous === null ? " (first deploy)" : ""}`;
  const line: Piece[] = [
    "Deploy ",
    { ...deployPiece(d.deploy), bold: true },
    " to ",
    { label: d.environment, bold: true },
    `: ${what}`,
  ];
  const list = (refs: EntityRef[]): SlackBlock | null => {
    if (!refs.length) return null;
    const shown = refs.slice(0, LIST_MAX).map((r) => `• ${mrkdwn([entity(r, d.repository)])}`);
    if (refs.length > LIST_MAX) shown.push(`… and ${refs.length - LIST_MAX} more`);
    return { type: "section", text: { type: "mrkdwn", text: shown.join("\n") } };
  };
  return message(
    d.rangeKnown ? ":package:" : ":grey_question:",
    line,
    list(d.pullRequests),
    list(d.issues),
    details(
      d.repository,
      d.deploy.sha ? d.deploy.sha.slice(0, 7) : null,
      d.previous ? `since ${keyLabel(d.previous)}` : null,
    ),
  );
}

function prReverted(d: MilestoneData["pr.reverted"]): SlackMessage {
  return message(
    ":leftwards_arrow_with_hook:",
    [entity(d.pullRequest, d.repository, true), " was reverted by ", entity(d.revertedBy, d.repository)],
    details(d.repository),
  );
}

function deployRolledBack(d: MilestoneData["deploy.rolled_back"]): SlackMessage {
  return message(
    ":rewind:",
    [
      "Deploy ",
      { ...deployPiece(d.deploy), bold: true },
      " rolled back ",
      { label: keyLabel(d.rolledBack) },
      " in ",
      { label: d.environment, bold: true },
    ],
    deployDetails(d.deploy),
  );
}

function incidentLinked(d: MilestoneData["incident.linked"]): SlackMessage {
  const title = d.incident.title ? `${keyLabel(d.incident.key)}: ${d.incident.title}` : keyLabel(d.incident.key);
  return message(
    ":rotating_light:",
    [
      { label: title, url: d.incident.url, bold: true },
      " was likely caused by deploy ",
      deployPiece(d.deploy),
      ` to ${d.deploy.environment} (confidence ${d.confidence.toFixed(2)})`,
    ],
    details(d.deploy.repository, ...(Array.isArray(d.reasons) ? d.reasons.slice(0, 3) : [])),
  );
}

function linkCreated(d: MilestoneData["link.created"]): SlackMessage {
  const { from, to, relation, rule } = d.link;
  return message(
    ":link:",
    [{ label: keyLabel(from) }, ` ${relation} `, { label: keyLabel(to) }],
    details(`rule ${rule}`),
  );
}

// ---- Events (the unified event without its payload) ----

interface EventData {
  type?: string;
  subject?: string | null;
  actor?: string | null;
  keys?: string[];
  priority?: string;
  environment?: string;
  state?: string;
  status?: string;
}

const FAILED_STATES = new Set(["failure", "error", "failed"]);

/**
 * A failed deploy: the generic `deploy.failed`, or a GitHub deployment status of failure/error. An
 * event message carries no payload: GitHub's state is read from the data when present, else from
 * the priority, which classify.ts makes `critical` for exactly those states.
 */
export function isFailedDeploy(type: string, data: EventData): boolean {
  if (type === "deploy.failed") return true;
  if (!type.startsWith("github.deployment_status")) return false;
  const state = data.state ?? data.status;
  return typeof state === "string" ? FAILED_STATES.has(state) : data.priority === "critical";
}

const keyOf = (keys: string[] | undefined, prefix: string) => keys?.find((k) => k.startsWith(prefix)) ?? null;

function failedDeploy(data: EventData): SlackMessage {
  const subject = data.subject ?? keyOf(data.keys, PREFIX.deploy);
  const repo = keyOf(data.keys, PREFIX.repo);
  const commit = keyOf(data.keys, PREFIX.commit);
  const line: Piece[] = [
    "Deploy ",
    { label: subject ? keyLabel(subject) : "(unknown)", bold: true },
    " failed",
    ...(data.environment ? [" in ", { label: data.environment, bold: true }] : []),
  ];
  const repository = repo && keyLabel(repo);
  return message(":x:", line, details(repository, commit && keyLabel(commit, repository), data.actor));
}

function generic(type: string, data: EventData | null): SlackMessage {
  const subject = data?.subject ? keyLabel(data.subject) : null;
  const line: Piece[] = [{ label: type, bold: true }, ...(subject ? [" · ", subject] : [])];
  return message(":information_source:", line, details(data?.actor ? `by ${data.actor}` : null));
}

// ---- Dispatch ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const hasAll = (v: unknown, ...fields: string[]): boolean => isObject(v) && fields.every((f) => v[f] != null);

/**
 * The Slack message for a subscription message; any type, any data (an unexpected shape falls
 * back to type + subject).
 */
export function slackMessage(body: MessageBody): SlackMessage {
  const { type, data } = body;
  const d = data as never;
  if (type === "issue.shipped" && hasAll(data, "issue", "deploy", "environment", "pullRequests"))
    return issueShipped(d);
  if (type === "pr.shipped" && hasAll(data, "pullRequest", "deploy", "environment")) return prShipped(d);
  if (type === "deploy.changes" && hasAll(data, "deploy", "environment", "commits", "pullRequests", "issues"))
    return deployChanges(d);
  if (type === "pr.reverted" && hasAll(data, "pullRequest", "revertedBy")) return prReverted(d);
  if (type === "deploy.rolled_back" && hasAll(data, "deploy", "rolledBack", "environment")) return deployRolledBack(d);
  if (type === "incident.linked" && hasAll(data, "incident", "deploy", "confidence")) return incidentLinked(d);
  if (type === "link.created" && isObject(data) && hasAll(data.link, "from", "to", "relation", "rule"))
    return linkCreated(d);
  const event = isObject(data) ? (data as EventData) : null;
  if (event && isFailedDeploy(type, event)) return failedDeploy(event);
  return generic(type, event);
}
