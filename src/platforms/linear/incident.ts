import type { IncidentFact } from "../../correlate/facts.js";
import { incidentNames } from "../../correlate/incident-facts.js";
import { text } from "../../shared/bounds.js";
import { incidentKey } from "../../shared/keys.js";
import { storableDate } from "../../shared/time.js";

type Obj = Record<string, any>;

/** A Linear issue carrying an incident label: `incident:linear:ENG-42`. Started counts as acknowledged. */
export function linearIssueIncident(data: Obj, identifier: string, at: Date): IncidentFact {
  const type = text(data.state?.type);
  const resolved = type === "completed" || type === "canceled";
  const startedAt = storableDate(data.startedAt);
  return {
    key: incidentKey("linear", identifier.toUpperCase()),
    source: "linear",
    status: resolved ? "resolved" : startedAt || type === "started" ? "acknowledged" : "open",
    statusAt: storableDate(data.updatedAt) ?? at,
    openedAt: storableDate(data.createdAt) ?? at,
    acknowledgedAt: startedAt,
    resolvedAt: resolved ? (storableDate(data.completedAt) ?? storableDate(data.canceledAt) ?? at) : null,
    title: text(data.title),
    service: null,
    environment: null,
    repository: null,
    url: text(data.url),
    names: incidentNames(text(data.description), null),
  };
}
