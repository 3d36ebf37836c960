import type { IncidentFact } from "../../correlate/facts.js";
import { incidentNames } from "../../correlate/incident-facts.js";
import { text } from "../../shared/bounds.js";
import { incidentKey } from "../../shared/keys.js";
import { storableDate } from "../../shared/time.js";

type Obj = Record<string, any>;

/** A GitHub issue carrying an incident label: `incident:github:owner/repo#N`. */
export function githubIssueIncident(issue: Obj, repository: string, at: Date): IncidentFact {
  const closed = issue.state === "closed";
  const body = [text(issue.title), text(issue.body)].filter(Boolean).join("\n");
  return {
    key: incidentKey("github", `${repository}#${issue.number}`),
    source: "github",
    status: closed ? "resolved" : "open",
    statusAt: storableDate(issue.updated_at) ?? at,
    openedAt: storableDate(issue.created_at) ?? at,
    acknowledgedAt: null,
    resolvedAt: closed ? (storableDate(issue.closed_at) ?? at) : null,
    title: text(issue.title),
    service: null,
    environment: null,
    repository,
    url: text(issue.html_url),
    names: incidentNames(body, repository),
  };
}
