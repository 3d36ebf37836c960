import { keyLabel } from "../shared/keys.js";
import type { Facts } from "./facts.js";

/**
 * Ranking an incident's suspect deploys by evidence, not by time alone (docs/incidents.md). Pure:
 * store/graph/incident-suspects.ts reads the candidates and writes the `caused_by` links.
 */

export interface SuspectCandidate {
  key: string;
  repository: string;
  service: string;
  environment: string;
  /** When it finished (deploys order by this). */
  at: Date;
  /** What it shipped: commits, PRs, issues. Empty: it shipped no change, so it is no suspect. */
  ships: string[];
  /** Of the incident's service or repository (else only named by the incident). */
  scoped: boolean;
  /** A later deploy rolled it back. */
  rolledBack: boolean;
  /** A change it shipped was reverted. */
  reverted: boolean;
}

export interface RankedSuspect {
  deploy: string;
  confidence: number;
  /** Why, in words: one line per piece of evidence. */
  reasons: string[];
}

export const SUSPECT_WEIGHTS = { base: 0.25, named: 0.4, remediated: 0.15, alone: 0.1, latest: 0.05 } as const;
/** At most this many suspects are kept per incident. */
export const MAX_SUSPECTS = 5;

const round = (x: number) => Math.round(x * 100) / 100;
const stream = (c: SuspectCandidate) => `${c.service}/${c.environment}`;

/**
 * The suspects, best first: confidence, then the later deploy, then the key. `names` are the
 * entity keys the incident names; candidates are deploys that finished before it opened.
 */
export function rankSuspects(names: string[], candidates: SuspectCandidate[]): RankedSuspect[] {
  const named = new Set(names);
  const shipping = candidates.filter((c) => c.ships.length > 0);
  const scopedPer = new Map<string, SuspectCandidate[]>();
  for (const c of shipping.filter((x) => x.scoped)) {
    const list = scopedPer.get(stream(c)) ?? [];
    list.push(c);
    scopedPer.set(stream(c), list);
  }
  const ranked = shipping.map((c) => {
    const reasons: string[] = [];
    let confidence = SUSPECT_WEIGHTS.base;
    const n = c.ships.length;
    reasons.push(
      c.scoped
        ? `deployed ${c.service} to ${c.environment} before the incident, shipping ${n} change${n === 1 ? "" : "s"}`
        : `shipped ${n} change${n === 1 ? "" : "s"} the incident names`,
    );
    const hits = [c.key, ...c.ships].filter((k) => named.has(k));
    if (hits.length) {
      confidence += SUSPECT_WEIGHTS.named;
      reasons.push(`the incident names ${hits.map((k) => keyLabel(k, c.repository)).join(", ")}`);
    }
    if (c.rolledBack || c.reverted) {
      confidence += SUSPECT_WEIGHTS.remediated;
      reasons.push(c.rolledBack ? "it was rolled back" : "a change it shipped was reverted");
    }
    const peers = c.scoped ? scopedPer.get(stream(c))! : [];
    if (peers.length === 1) {
      confidence += SUSPECT_WEIGHTS.alone;
      reasons.push(`the only deploy of ${c.service} to ${c.environment} in the window`);
    } else if (peers.length > 1 && peers.every((p) => p === c || p.at < c.at || (+p.at === +c.at && p.key < c.key))) {
      confidence += SUSPECT_WEIGHTS.latest;
      reasons.push(`the last deploy of ${c.service} to ${c.environment} before the incident`);
    }
    return { deploy: c.key, at: c.at, confidence: round(Math.min(confidence, 0.95)), reasons };
  });
  return ranked
    .sort((a, b) => b.confidence - a.confidence || +b.at - +a.at || (a.deploy < b.deploy ? -1 : 1))
    .slice(0, MAX_SUSPECTS)
    .map(({ at: _at, ...s }) => s);
}

/** What a batch's facts touched, for the incidents whose suspects it may change. */
export interface Touched {
  incidents: string[];
  repositories: string[];
  services: string[];
  /** The batch's event times: incidents opened near them are looked at. */
  from: Date | null;
  to: Date | null;
}

/** The incidents, repositories and services a batch's facts touch (incidents step of the pipeline). */
export function touchedBy(items: Array<{ at: Date; facts: Facts }>): Touched {
  const incidents = new Set<string>();
  const repositories = new Set<string>();
  const services = new Set<string>();
  let from: Date | null = null;
  let to: Date | null = null;
  for (const { at, facts } of items) {
    if (facts.incident) incidents.add(facts.incident.key);
    for (const s of facts.scopes) if (s.startsWith("repo:")) repositories.add(s.slice("repo:".length));
    if (facts.deploy) services.add(facts.deploy.service.toLowerCase());
    if (!from || at < from) from = at;
    if (!to || at > to) to = at;
  }
  return { incidents: [...incidents], repositories: [...repositories], services: [...services], from, to };
}
