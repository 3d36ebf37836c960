import type { Collector } from "../../correlate/collector.js";
import { linearIdentifiers, urls } from "../../correlate/text-references.js";
import type { StoredEvent } from "../../shared/event.js";
import { keysFromUrls, linearIssueKey, PREFIX, slackMessageKey } from "../../shared/keys.js";

/** Slack's facts: thread membership and what a message's text points at. */
export function slackFacts(c: Collector, e: StoredEvent) {
  const row = e.rows.slack!;
  const from = e.subject;
  if (!from || !from.startsWith(PREFIX.slackMessage) || row.subtype === "message_deleted") return;
  if (row.threadTs && row.channel && row.threadTs !== row.ts)
    c.link(from, slackMessageKey(row.channel, row.threadTs), "slack-thread");
  const text = row.text ?? "";
  const linked = new Set(keysFromUrls(text));
  for (const key of linked) c.link(from, key, "slack-url");
  // Identifiers in prose only: a host or path (`web-pr-7.preview.acme.dev`) is no mention, and an
  // issue its URL already links needs no second, weaker link.
  const prose = text.replace(/https?:\/\/[^\s<>|]*/g, " ");
  for (const id of linearIdentifiers(prose)) {
    if (!linked.has(linearIssueKey(id))) c.mention(from, "linear_identifier", id, "slack-identifier");
  }
  for (const url of urls(text)) {
    if (keysFromUrls(url).length === 0) c.mention(from, "url", url, "slack-deploy-url");
  }
  // A reaction carries the emoji, not the message: it must not retitle the message.
  const title = row.kind.startsWith("reaction_") ? null : text.slice(0, 200) || null;
  c.entity({ key: from, kind: "slack.message", title });
}
