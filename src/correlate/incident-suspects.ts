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
  /** A deploy after the incident opened rolled it back (one rolled back before was not live: no candidate). */
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
        : `deployed ${c.service} to ${c.environment} before the incident, which names it or what it shipped`,
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
    return { deploy: c.key, at: c.at, confidence: round(confidence), reasons };
  });
  return ranked
    .sort((a, b) => b.confidence - a.confidence || +b.at - +a.at || (a.deploy < b.deploy ? -1 : 1))
    .slice(0, MAX_SUSPECTS)
    .map(({ at: _at, ...s }) => s);
}

/**
 * What a committed batch changed that incidents' suspects read: the incidents it told of, the
 * deploys it wrote or whose range it recomputed, and the changes it found reverted.
 */
export interface Touched {
  incidents: string[];
  deploys: string[];
  reverted: string[];
}

/** The incidents a batch's facts tell of. */
export const incidentsOf = (items: Array<{ facts: Facts }>): string[] => [
  ...new Set(items.flatMap(({ facts }) => (facts.incident ? [facts.incident.key] : []))),
];
