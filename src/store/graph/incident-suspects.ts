import { Prisma } from "../../generated/prisma/client.js";
import {
  rankSuspects,
  type RankedSuspect,
  type SuspectCandidate,
  type Touched,
} from "../../correlate/incident-suspects.js";
import { linkMilestones, type MilestoneDraft } from "../../correlate/milestones.js";
import { BUILTIN_RULES } from "../../correlate/builtin-rules.js";
import type { IncidentRef } from "../../shared/outbound.js";
import { environmentMatcher } from "../read/dora-math.js";
import { writeMilestones } from "../outbox.js";
import type { Sql as Tx } from "../sql.js";
import { replaceLinks } from "./links.js";

const RULE = "incident-suspect";
const RELATION = BUILTIN_RULES[RULE].relation;

/** A group glob (`acme/*`, `?` one character) as a LIKE pattern of lower-case repositories, in SQL. */
const globLike = (glob: Prisma.Sql) =>
  Prisma.sql`replace(replace(replace(replace(replace(lower(${glob}), '\\', '\\\\'), '%', '\\%'), '_', '\\_'),
    '*', '%'), '?', '_')`;

/** Whether deploy `d` belongs to incident `i`'s repository or service: its own, a same-named one, or a group's. */
const inScope = Prisma.sql`(d.repository = i.repository OR lower(d.service) = lower(i.service)
  OR split_part(d.repository, '/', 2) = lower(i.service)
  OR EXISTS (SELECT 1 FROM groups g WHERE lower(i.service) IN (SELECT lower(s) FROM unnest(g.services) s)
    AND EXISTS (SELECT 1 FROM unnest(g.repositories) r WHERE d.repository LIKE ${globLike(Prisma.sql`r`)})))`;

/**
 * The incidents whose suspects a committed batch may have changed: those it told of, and for each
 * deploy it wrote or recomputed, rolled back, or that shipped a change it found reverted, the
 * incidents that deploy can be a suspect of — of its scope and opened within `windowMs` after it,
 * or naming it or what it shipped and opened within 30 days after it. Nothing is read when the batch
 * changed none of these (most batches: comments, reviews, messages).
 */
export async function affectedIncidents(tx: Tx, t: Touched, windowMs: number): Promise<string[]> {
  if (!t.incidents.length && !t.deploys.length && !t.reverted.length) return [];
  const rows = await tx.query<Array<{ key: string }>>`
    WITH changed AS (
      SELECT unnest(${t.deploys}::text[]) AS key
      UNION SELECT l.to_key FROM links l WHERE l.from_key = ANY(${t.deploys}::text[]) AND l.relation = 'rolls_back'
      UNION SELECT l.from_key FROM links l WHERE l.to_key = ANY(${t.reverted}::text[]) AND l.relation = 'ships'),
    d AS (SELECT d.* FROM deploys d WHERE d.key IN (SELECT key FROM changed) AND d.status = 'succeeded')
    SELECT key FROM incidents WHERE key = ANY(${t.incidents}::text[])
    UNION
    SELECT i.key FROM d JOIN incidents i ON i.opened_at >= d.at
      AND i.opened_at <= d.at + ${`${windowMs} milliseconds`}::interval AND ${inScope}
    UNION
    SELECT i.key FROM d JOIN incidents i ON i.opened_at >= d.at AND i.opened_at <= d.at + interval '30 days'
      AND i.names && (ARRAY[d.key] || ARRAY(SELECT l.to_key FROM links l WHERE l.from_key = d.key
        AND l.relation = 'ships'))
    ORDER BY key`;
  return rows.map((r) => r.key);
}

interface IncidentRow {
  key: string;
  source: string;
  title: string | null;
  url: string | null;
  status: string;
  service: string | null;
  environment: string | null;
  repository: string | null;
  openedAt: Date;
  resolvedAt: Date | null;
  names: string[];
  eventIds: string[];
}

type CandidateRow = Omit<SuspectCandidate, "at"> & { at: Date; eventIds: string[] };

/**
 * The candidates of one incident, in one statement: succeeded deploys that finished before it
 * opened, of its scope within the window, or named by it (the deploy itself, or a change it
 * shipped) within 30 days; with what each shipped and whether it was rolled back or reverted.
 */
async function readCandidates(tx: Tx, key: string, windowMs: number) {
  const [incident] = await tx.query<IncidentRow[]>`
    SELECT key, source, title, url, status, service, environment, repository, opened_at AS "openedAt",
      resolved_at AS "resolvedAt", names, event_ids AS "eventIds" FROM incidents WHERE key = ${key}`;
  if (!incident) return null;
  const since = new Date(incident.openedAt.getTime() - windowMs);
  const namedSince = new Date(incident.openedAt.getTime() - 30 * 86_400_000);
  const candidates = await tx.query<CandidateRow[]>`
    WITH i AS (SELECT * FROM incidents WHERE key = ${key}),
    scoped AS (SELECT d.key FROM deploys d, i WHERE d.status = 'succeeded' AND d.at <= i.opened_at
      AND d.at >= ${since} AND ${inScope}),
    named AS (SELECT s.key FROM i, unnest(i.names) n(k),
      LATERAL (SELECT n.k AS key WHERE n.k LIKE 'deploy:%'
        UNION SELECT l.from_key FROM links l WHERE l.to_key = n.k AND l.relation = 'ships') s)
    SELECT d.key, d.repository, d.service, d.environment, d.at, d.event_ids AS "eventIds",
      d.key IN (SELECT key FROM scoped) AS scoped,
      ARRAY(SELECT DISTINCT l.to_key FROM links l WHERE l.from_key = d.key AND l.relation = 'ships'
        ORDER BY l.to_key) AS ships,
      EXISTS (SELECT 1 FROM links r WHERE r.to_key = d.key AND r.relation = 'rolls_back') AS "rolledBack",
      EXISTS (SELECT 1 FROM links s JOIN links r ON r.to_key = s.to_key AND r.relation = 'reverts'
        WHERE s.from_key = d.key AND s.relation = 'ships') AS reverted
    FROM deploys d, i
    WHERE d.status = 'succeeded' AND d.at <= i.opened_at
      AND (d.key IN (SELECT key FROM scoped) OR (d.key IN (SELECT key FROM named) AND d.at >= ${namedSince}))
      -- rolled back before the incident opened: not live when it began
      AND NOT EXISTS (SELECT 1 FROM links r JOIN deploys b ON b.key = r.from_key WHERE r.to_key = d.key
        AND r.relation = 'rolls_back' AND b.at < i.opened_at)`;
  return { incident, candidates };
}

/** Environments that count: the incident's own, else the production ones. */
function environmentFilter(incident: IncidentRow, production: string[]) {
  if (incident.environment) {
    const wanted = incident.environment.toLowerCase();
    return (env: string) => env.toLowerCase() === wanted;
  }
  return environmentMatcher(production);
}

const incidentRef = (i: IncidentRow): IncidentRef => ({
  key: i.key,
  title: i.title,
  url: i.url,
  source: i.source,
  status: i.status,
  service: i.service,
  environment: i.environment,
  repository: i.repository,
  openedAt: i.openedAt.toISOString(),
  resolvedAt: i.status === "resolved" && i.resolvedAt ? i.resolvedAt.toISOString() : null,
});

/** One incident's suspects as the committed facts rank them now (nothing written). */
export async function suspectsNow(tx: Tx, key: string, o: { windowMs: number; production: string[] }) {
  const read = await readCandidates(tx, key, o.windowMs);
  if (!read) return null;
  const { incident, candidates } = read;
  const counts = environmentFilter(incident, o.production);
  const ranked = rankSuspects(
    incident.names,
    candidates.filter((c) => counts(c.environment)),
  );
  return { incident, candidates, ranked };
}

/**
 * Ranks one incident's suspects from what is committed and writes them as its `caused_by` links
 * (replacing those it had: a suspect can lose its place), telling `incident.linked` for the top one.
 * Incidents are ranked one at a time (an advisory lock per incident), each from a fresh read, so
 * the last ranking sees every batch committed before it: the same links in any arrival order.
 */
export async function rankIncident(
  tx: Tx,
  key: string,
  o: { windowMs: number; production: string[] },
): Promise<RankedSuspect[]> {
  await tx.execute`SELECT pg_advisory_xact_lock(hashtextextended(${`incident:${key}`}, 0))`;
  const read = await suspectsNow(tx, key, o);
  if (!read) return [];
  const { incident, candidates, ranked } = read;
  const evidence = new Map(candidates.map((c) => [c.key, [...new Set([...incident.eventIds, ...c.eventIds])].sort()]));
  const links = ranked.map((x) => ({
    from: key,
    to: x.deploy,
    relation: RELATION,
    rule: RULE,
    confidence: x.confidence,
    evidence: evidence.get(x.deploy)!,
  }));
  // The incident's suspect links are derived, replaced whole: a deploy can lose its place.
  const created = (await replaceLinks(tx, [RULE], [{ from: key, links }])).get(key)?.created ?? [];
  const top = candidates.find((c) => c.key === ranked[0]?.deploy);
  await writeMilestones(tx, [...linkMilestones(created, true), ...linkedMilestone(incident, ranked, top)]);
  return ranked;
}

/** `incident.linked` for the top suspect: once per (incident, deploy). */
function linkedMilestone(incident: IncidentRow, ranked: RankedSuspect[], deploy?: CandidateRow): MilestoneDraft[] {
  const top = ranked[0];
  if (!top || !deploy) return [];
  return [
    {
      type: "incident.linked",
      factKey: `incident.linked:${incident.key}|${top.deploy}`,
      subject: incident.key,
      // Subscriptions filter by repository and environment: the deploy's, when the incident names none.
      repository: incident.repository ?? deploy.repository,
      environment: incident.environment ?? deploy.environment,
      entities: [incident.key],
      deploys: [top.deploy],
      data: (r) => {
        return {
          incident: { ...incidentRef(incident), ...r.entity(incident.key), key: incident.key },
          deploy: r.deploy(top.deploy),
          confidence: top.confidence,
          rule: RULE,
          reasons: top.reasons,
          suspects: ranked.map((s) => ({ deploy: s.deploy, confidence: s.confidence })),
        };
      },
    },
  ];
}
