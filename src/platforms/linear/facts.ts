import type { Collector } from "../../correlate/collector.js";
import type { StoredEvent } from "../../shared/event.js";
import { keysFromUrls, linearIssueKey, PREFIX } from "../../shared/keys.js";

type Obj = Record<string, any>;

/** Linear's facts: teams and issues as they appear, comment URLs, attachments of PRs. */
export function linearFacts(c: Collector, e: StoredEvent) {
  const row = e.rows.linear!;
  const data: Obj = (e.payload as Obj).data ?? {};
  if (row.teamKey) c.facts.linearTeams.push(row.teamKey.toUpperCase());
  if (row.entityType === "Issue" && row.identifier && data.id) {
    c.facts.linearIssue = { id: data.id, identifier: row.identifier };
    c.entity({ key: linearIssueKey(row.identifier), kind: "linear.issue", title: row.title, state: row.state, url: row.url });
  }
  if (row.entityType === "Comment" && e.subject?.startsWith(PREFIX.linearIssue)) {
    for (const key of keysFromUrls(data.body)) if (key.startsWith("github:")) c.link(e.subject, key, "linear-comment-url");
  }
  if (row.entityType === "Attachment" && row.action !== "remove") {
    const prs = keysFromUrls(data.url).filter((k) => k.startsWith(PREFIX.pr));
    for (const pr of prs) {
      if (row.identifier) c.link(pr, linearIssueKey(row.identifier), "linear-attachment");
      else if (data.issueId) c.mention(pr, "linear_issue_id", data.issueId, "linear-attachment");
    }
  }
}
