import { keyLabel } from "../../shared/keys.js";
import type { EntityRef, MessageBody } from "../../shared/outbound.js";
import { DIGEST_TYPE_PREFIX, type DigestData } from "../digest/summary.js";
import { entityLabel } from "./labels.js";
import { escapeSlack, safeUrl, type SlackBlock, type SlackMessage } from "./slack-message.js";

/**
 * A digest's Slack message (docs/outbound.md "Slack digests"): a title line, then one section per
 * kind of news (shipped, failed, rolled back, reverted, incidents), each a short list with links.
 * The plain `text` (notifications) counts them. Pure: slack.ts posts it.
 */

/** Lines per section, and references per line: Slack caps a section's text at 3000 characters. */
const LINES_MAX = 10;
const REFS_MAX = 8;
const SECTION_CHARS = 2900;

const linkTo = (label: string, url: string | null | undefined) => {
  const u = safeUrl(url);
  return u ? `<${u}|${escapeSlack(label)}>` : escapeSlack(label);
};
const refs = (list: EntityRef[], repository: string | null) => {
  const shown = list.slice(0, REFS_MAX).map((r) => linkTo(keyLabel(r.key, repository), r.url));
  return list.length > REFS_MAX ? [...shown, `+${list.length - REFS_MAX}`].join(", ") : shown.join(", ");
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function section(title: string, lines: string[]): SlackBlock | null {
  if (!lines.length) return null;
  const shown = lines.slice(0, LINES_MAX);
  if (lines.length > LINES_MAX) shown.push(`… and ${lines.length - LINES_MAX} more`);
  let text = `${title}\n${shown.map((l) => `• ${l}`).join("\n")}`;
  if (text.length > SECTION_CHARS) text = `${text.slice(0, SECTION_CHARS).replace(/\n[^\n]*$/, "")}\n…`;
  return { type: "section", text: { type: "mrkdwn", text } };
}

/** `10:00–11:00 UTC, 7 Dec 2026` or `7 Dec 2026 (UTC)`. */
function when(d: DigestData): string {
  const from = new Date(d.from);
  const day = from.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  if (d.period === "daily") return `${day} (UTC)`;
  const hm = (t: Date) => t.toISOString().slice(11, 16);
  return `${hm(from)}–${hm(new Date(d.to))} UTC, ${day}`;
}

/** A digest's message (its data as summary.ts makes it). */
export const isDigest = (body: MessageBody) =>
  body.type.startsWith(DIGEST_TYPE_PREFIX) && Array.isArray((body.data as DigestData | null)?.shipped);

export function digestMessage(body: MessageBody): SlackMessage {
  const d = body.data as DigestData;
  const title = `${d.period === "daily" ? "Daily" : "Hourly"} digest, ${when(d)}`;
  const deploys = d.shipped.reduce((n, g) => n + g.deploys.length, 0);
  const counts = [
    d.shipped.length ? `shipped to ${plural(d.shipped.length, "place")} (${plural(deploys, "deploy")})` : null,
    d.failures.length ? plural(d.failures.length, "failed deploy") : null,
    d.rollbacks.length ? plural(d.rollbacks.length, "rollback") : null,
    d.reverts.length ? plural(d.reverts.length, "revert") : null,
    d.incidents.length ? plural(d.incidents.length, "incident") : null,
  ].filter((c): c is string => c !== null);
  const shipped = d.shipped.map((g) => {
    const what = [
      g.deploys.length ? `deploy ${g.deploys.map((x) => linkTo(keyLabel(x.key), x.url)).join(", ")}` : null,
      g.pullRequests.length ? refs(g.pullRequests, g.repository) : null,
      g.issues.length ? refs(g.issues, g.repository) : null,
    ].filter((w): w is string => w !== null);
    return `*${escapeSlack(g.environment)}* · ${escapeSlack(g.repository)}: ${what.join(" · ")}`;
  });
  const failures = d.failures.map(
    (f) =>
      `${linkTo(keyLabel(f.deploy), null)} in *${escapeSlack(f.environment)}*${f.repository ? ` · ${escapeSlack(keyLabel(f.repository))}` : ""}`,
  );
  const rollbacks = d.rollbacks.map(
    (r) =>
      `${linkTo(keyLabel(r.deploy.key), r.deploy.url)} rolled back ${escapeSlack(keyLabel(r.rolledBack))} in *${escapeSlack(r.environment)}*`,
  );
  const reverts = d.reverts.map(
    (r) =>
      `${linkTo(entityLabel(r.pullRequest, r.repository), r.pullRequest.url)} reverted by ${linkTo(keyLabel(r.revertedBy.key, r.repository), r.revertedBy.url)}`,
  );
  const incidents = d.incidents.map((i) => {
    const label = i.incident.title ? `${keyLabel(i.incident.key)}: ${i.incident.title}` : keyLabel(i.incident.key);
    return `${linkTo(label, i.incident.url)} (${escapeSlack(i.incident.status)}), likely deploy ${linkTo(keyLabel(i.deploy.key), i.deploy.url)} in ${escapeSlack(i.environment)} (confidence ${i.confidence.toFixed(2)})`;
  });
  const blocks = [
    { type: "section", text: { type: "mrkdwn", text: `:bookmark_tabs: *${escapeSlack(title)}*` } } as SlackBlock,
    section(":rocket: *Shipped*", shipped),
    section(":x: *Failed deploys*", failures),
    section(":rewind: *Rolled back*", rollbacks),
    section(":leftwards_arrow_with_hook: *Reverted*", reverts),
    section(":rotating_light: *Incidents*", incidents),
    d.truncated
      ? ({
          type: "context",
          elements: [{ type: "mrkdwn", text: "More happened than one digest reads: lists are partial." }],
        } as SlackBlock)
      : null,
  ].filter((b): b is SlackBlock => b !== null);
  return { text: escapeSlack(`${title}: ${counts.join(", ")}`), blocks };
}
