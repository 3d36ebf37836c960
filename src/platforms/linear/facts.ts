import type { Collector } from "../../correlate/collector.js";
import { bounded, LIMITS, text } from "../../shared/bounds.js";
import type { StoredEvent } from "../../shared/event.js";
import { isPrKey, keysFromUrls, linearIssueKey, PREFIX } from "../../shared/keys.js";
import { storableDate } from "../../shared/time.js";
import { addIncident, hasLabel, labelNames } from "../../correlate/incident-facts.js";
import { linearIssueIncident } from "./incident.js";

type Obj = Record<string, any>;

/** Linear's facts: teams and issues as they appear, comment URLs, attachments of PRs. */
export function linearFacts(c: Collector, e: StoredEvent) {
  const row = e.rows.linear!;
  const data: Obj = (e.payload as Obj).data ?? {};
  if (row.teamKey) c.facts.linearTeams.push(row.teamKey.toUpperCase());
  if (row.entityType === "Issue" && row.identifier && row.entityId) {
    c.facts.linearIssue = { id: row.entityId, identifier: row.identifier };
    c.entity({
      key: linearIssueKey(row.identifier),
      kind: "linear.issue",
      title: row.title,
      state: row.state,
      url: row.url,
    });
    if (Array.isArray(data.labels)) {
      const key = linearIssueKey(row.identifier);
      const labels = labelNames(data.labels);
      c.facts.issueLabels = { key, labels, at: storableDate(data.updatedAt) ?? e.occurredAt };
      if (hasLabel(labels, c.incidentLabels))
        addIncident(c, linearIssueIncident(data, row.identifier, e.occurredAt), key);
    }
  }
  if (row.entityType === "Comment" && e.subject?.startsWith(PREFIX.linearIssue)) {
    for (const key of keysFromUrls(text(data.body)))
      if (key.startsWith("github:") || key.startsWith("gitlab:")) c.link(e.subject, key, "linear-comment-url");
  }
  if (row.entityType === "Attachment" && row.action !== "remove") {
    const issueId = bounded(data.issueId, LIMITS.nameBytes);
    const prs = keysFromUrls(text(data.url)).filter(isPrKey);
    for (const pr of prs) {
      if (row.identifier) c.link(pr, linearIssueKey(row.identifier), "linear-attachment");
      else if (issueId) c.mention(pr, "linear_issue_id", issueId, "linear-attachment");
    }
  }
}
