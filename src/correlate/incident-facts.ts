import { bounded, LIMITS } from "../shared/bounds.js";
import type { StoredEvent } from "../shared/event.js";
import {
  commitKey,
  incidentKey,
  isGitlabRepository,
  issueIncidentKey,
  keysFromUrls,
  prKey,
  uniqueKeys,
} from "../shared/keys.js";
import { storableDate } from "../shared/time.js";
import type { Collector } from "./collector.js";
import type { IncidentFact } from "./facts.js";

/** A full commit SHA standing alone in prose (`root cause: 3f2a…`, as Four Keys reads incident issues). */
const SHA_IN_TEXT = /(?<![0-9a-f/])[0-9a-f]{40}(?![0-9a-f])/gi; // not a SHA inside a URL: keysFromUrls reads those
/** `caused by #12`, `regression from #12`, `root cause: #12`, `introduced in #12`: a PR of the same repository. */
const CAUSE_PR = /\b(?:caused by|regression (?:from|in)|root cause:?|introduced (?:by|in)) #(\d{1,9})\b/gi;

/**
 * The entity keys an incident's text names: GitHub and Linear URLs anywhere; in a repository's
 * context also bare full SHAs and `caused by #N` (docs/incidents.md "What an incident names").
 */
export function incidentNames(body: string | null, repository: string | null): string[] {
  if (!body) return [];
  const keys = keysFromUrls(body);
  if (repository) {
    for (const [sha] of body.matchAll(SHA_IN_TEXT)) keys.push(commitKey(repository, sha));
    for (const [, n] of body.matchAll(CAUSE_PR)) keys.push(prKey(repository, Number(n)));
  }
  return uniqueKeys(keys);
}

/** Whether one of an issue's labels is one of `wanted` (names compared case-insensitively). */
/** An issue as a forge (GitHub, GitLab) sends it, read for the incident it is. */
export interface ForgeIssue {
  number: number;
  title: unknown;
  body: unknown;
  closed: boolean;
  createdAt: unknown;
  updatedAt: unknown;
  /** When it was closed: the first of these that is a date. */
  closedAt: unknown[];
  url: unknown;
}

/** A GitHub or GitLab issue carrying an incident label: its incident (`incident:github:owner/repo#N`, …). */
export function issueIncident(i: ForgeIssue, repository: string, at: Date): IncidentFact {
  const title = typeof i.title === "string" ? i.title : null;
  const body = [title, typeof i.body === "string" ? i.body : null].filter(Boolean).join("\n");
  return {
    key: issueIncidentKey(repository, i.number),
    source: isGitlabRepository(repository) ? "gitlab" : "github",
    status: i.closed ? "resolved" : "open",
    statusAt: storableDate(i.updatedAt) ?? at,
    openedAt: storableDate(i.createdAt) ?? at,
    acknowledgedAt: null,
    resolvedAt: i.closed ? (i.closedAt.map(storableDate).find((d) => d !== null) ?? at) : null,
    title,
    service: null,
    environment: null,
    repository,
    url: typeof i.url === "string" ? i.url : null,
    names: incidentNames(body, repository),
  };
}

export function hasLabel(labels: string[], wanted: string[]): boolean {
  const set = new Set(wanted.map((l) => l.toLowerCase()));
  return labels.some((l) => set.has(l.toLowerCase()));
}

/** The label names of a GitHub or Linear payload's `labels: [{ name }]`, bounded. */
export function labelNames(labels: unknown): string[] {
  if (!Array.isArray(labels)) return [];
  return labels
    .map((l: unknown) => bounded((l as { name?: unknown } | null)?.name, LIMITS.nameBytes))
    .filter((n): n is string => n !== null)
    .slice(0, 100);
}

/** Writes an incident's entity, its facts and its `names` links. */
export function addIncident(c: Collector, f: IncidentFact, trackedIn?: string) {
  c.entity({ key: f.key, kind: "incident", title: f.title, state: f.status, url: f.url });
  c.facts.incident = f;
  if (trackedIn) c.link(f.key, trackedIn, "incident-label");
  for (const name of f.names) c.link(f.key, name, "incident-names");
}

/** An incident sender's event (PagerDuty, Sentry): its `incident_events` row as a fact. */
export function incidentRowFacts(c: Collector, e: StoredEvent) {
  const r = e.rows.incident!;
  const key = incidentKey(r.source, r.incidentId);
  addIncident(c, {
    key,
    source: r.source,
    status: r.status,
    statusAt: r.at,
    openedAt: r.openedAt ?? r.at,
    acknowledgedAt: r.status === "acknowledged" ? r.at : null,
    resolvedAt: r.status === "resolved" ? r.at : null,
    title: r.title,
    service: r.service,
    environment: r.environment,
    repository: r.repository,
    url: r.url,
    names: incidentNames(r.text, r.repository).filter((k) => k !== key),
  });
}
