import type { StoredEvent } from "../shared/event.js";
import { commitKeyIfSha, deployKey, kindOf, scope, teamOf } from "../shared/keys.js";
import { Collector } from "./collector.js";
import type { Facts } from "./facts.js";
import { incidentRowFacts } from "./incident-facts.js";

/** What a platform adds to an event's facts (platforms/<p>/facts.ts). */
export type PlatformFacts = (c: Collector, e: StoredEvent) => void;

/** A deployment row's facts, whichever platform reported it (generic deploys, GitHub deployments). */
function deploymentFacts(c: Collector, e: StoredEvent) {
  const d = e.rows.deployment!;
  const key = deployKey(d.source, d.deployId);
  c.facts.scopes.push(scope("repo", d.repository));
  if (d.url) c.facts.scopes.push(scope("url", d.url));
  c.entity({ key, kind: "deploy", title: `${d.repository} → ${d.environment}`, state: d.status, url: d.url });
  const sha = d.sha ? commitKeyIfSha(d.repository, d.sha) : null;
  if (sha) c.link(key, sha, "deploy-sha");
  if (d.sha) {
    c.facts.deploy = {
      key,
      repository: d.repository,
      // GitHub's `task` is not a service; every other sender names its own (an app, a project, a site).
      service: d.source !== "github" && d.service ? d.service : d.repository,
      environment: d.environment,
      sha: d.sha.toLowerCase(),
      status: d.status,
      url: d.url,
      startedAt: d.startedAt,
      finishedAt: d.finishedAt,
      statusAt: e.occurredAt,
    };
  }
}

/** All the facts of one stored event. Pure: no database access. */
export function extractFacts(
  e: StoredEvent,
  platformFacts: PlatformFacts,
  enabled: (rule: string) => boolean = () => true,
  incidentLabels?: string[],
): Facts {
  const c = new Collector(enabled, incidentLabels);
  for (const key of e.keys) c.entity({ key, kind: kindOf(key) });
  platformFacts(c, e);
  if (e.rows.deployment) deploymentFacts(c, e);
  if (e.rows.incident) incidentRowFacts(c, e);
  return addScopes(c.facts);
}

/** The lock scopes the facts' mentions, teams and Linear issue need (store/graph/locks.ts). */
export function addScopes(f: Facts): Facts {
  for (const m of f.mentions) {
    if (m.kind === "linear_identifier") f.sharedScopes.push(scope("team", teamOf(m.target)));
    if (m.kind === "linear_issue_id") f.sharedScopes.push(scope("lid", m.target));
    if (m.kind === "url") f.sharedScopes.push(scope("url", m.target));
  }
  for (const t of f.linearTeams) f.scopes.push(scope("team", t));
  if (f.linearIssue) f.scopes.push(scope("lid", f.linearIssue.id));
  return f;
}
