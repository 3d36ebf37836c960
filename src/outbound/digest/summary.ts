import type { DeployRef, EntityRef, IncidentRef, MilestoneData, OutboxItem } from "../../shared/outbound.js";
import type { Period } from "./period.js";

/**
 * A digest's summary (docs/outbound.md "Slack digests"): what shipped where, failed deploys,
 * rollbacks, reverts and incidents of one period, from the outbox rows of that period the
 * subscription's `types` and `where` match. Pure: the store reads the rows, the Slack sender renders
 * the result (senders/slack-digest.ts).
 */

/** The message types of digests: `digest.hourly`, `digest.daily`. */
export const DIGEST_TYPE_PREFIX = "digest.";

type DeployLink = Pick<DeployRef, "key" | "url">;

export interface ShippedGroup {
  environment: string;
  repository: string;
  deploys: DeployLink[];
  pullRequests: EntityRef[];
  issues: EntityRef[];
}

export interface DigestData {
  period: Period["period"];
  /** ISO-8601, `[from, to)`. */
  from: string;
  to: string;
  /** By environment, then repository. */
  shipped: ShippedGroup[];
  /** Deploys whose events said they failed (critical deploy events). */
  failures: Array<{ deploy: string; environment: string; repository: string | null; type: string }>;
  rollbacks: Array<{ deploy: DeployLink; rolledBack: string; environment: string; repository: string }>;
  reverts: Array<{ pullRequest: EntityRef; revertedBy: EntityRef; repository: string | null }>;
  /** Each incident once, with its latest most likely cause. */
  incidents: Array<{
    incident: Pick<IncidentRef, "key" | "title" | "url" | "status">;
    deploy: DeployLink;
    environment: string;
    confidence: number;
  }>;
  /** More rows than one digest reads were stored in the period: the lists are partial. */
  truncated: boolean;
}

/** The milestone types a digest tells of; events count only as failed deploys. */
export const DIGEST_MILESTONES = [
  "deploy.changes",
  "pr.shipped",
  "issue.shipped",
  "deploy.rolled_back",
  "pr.reverted",
  "incident.linked",
] as const;

const link = (d: DeployRef): DeployLink => ({ key: d.key, url: d.url });

/** Adds refs not already listed (by key). */
function addRefs(list: EntityRef[], refs: EntityRef[] | undefined) {
  for (const r of refs ?? [])
    if (!list.some((x) => x.key === r.key)) list.push({ key: r.key, title: r.title, url: r.url });
}

interface Milestone<T extends keyof MilestoneData> {
  type: T;
  data: MilestoneData[T];
}

/** The summary of `items` (in stored order) that `matches`; null when nothing is left to tell. */
export function buildDigest(
  period: Period,
  items: OutboxItem[],
  matches: (item: OutboxItem) => boolean,
  truncated = false,
): DigestData | null {
  const shipped = new Map<string, ShippedGroup>();
  const group = (environment: string, repository: string) => {
    const key = JSON.stringify([environment, repository]);
    let g = shipped.get(key);
    if (!g) shipped.set(key, (g = { environment, repository, deploys: [], pullRequests: [], issues: [] }));
    return g;
  };
  const failures = new Map<string, DigestData["failures"][number]>();
  const rollbacks: DigestData["rollbacks"] = [];
  const reverts: DigestData["reverts"] = [];
  const incidents = new Map<string, DigestData["incidents"][number]>();

  for (const item of items) {
    if (!matches(item)) continue;
    if (item.kind === "event") {
      // A critical event of a deployment: a failed deploy (platforms/*/classify.ts), once per deploy.
      const subject = item.subject ?? item.id;
      if (item.environment && !failures.has(subject))
        failures.set(subject, {
          deploy: subject,
          environment: item.environment,
          repository: item.repository,
          type: item.type,
        });
      continue;
    }
    const m = item as unknown as Milestone<keyof MilestoneData>;
    switch (m.type) {
      case "deploy.changes": {
        const d = (m as Milestone<"deploy.changes">).data;
        const g = group(d.environment, d.repository);
        if (!g.deploys.some((x) => x.key === d.deploy.key)) g.deploys.push(link(d.deploy));
        addRefs(g.pullRequests, d.pullRequests);
        addRefs(g.issues, d.issues);
        break;
      }
      case "pr.shipped": {
        const d = (m as Milestone<"pr.shipped">).data;
        addRefs(group(d.environment, d.repository).pullRequests, [d.pullRequest]);
        break;
      }
      case "issue.shipped": {
        const d = (m as Milestone<"issue.shipped">).data;
        addRefs(group(d.environment, d.repository).issues, [d.issue]);
        break;
      }
      case "deploy.rolled_back": {
        const d = (m as Milestone<"deploy.rolled_back">).data;
        rollbacks.push({
          deploy: link(d.deploy),
          rolledBack: d.rolledBack,
          environment: d.environment,
          repository: d.repository,
        });
        break;
      }
      case "pr.reverted": {
        const d = (m as Milestone<"pr.reverted">).data;
        reverts.push({ pullRequest: d.pullRequest, revertedBy: d.revertedBy, repository: d.repository });
        break;
      }
      case "incident.linked": {
        const d = (m as Milestone<"incident.linked">).data;
        const { key, title, url, status } = d.incident;
        // Told again when a better suspect appears: the latest one stands.
        incidents.set(key, {
          incident: { key, title, url, status },
          deploy: link(d.deploy),
          environment: d.deploy.environment,
          confidence: d.confidence,
        });
        break;
      }
    }
  }
  const byPlace = (a: ShippedGroup, b: ShippedGroup) =>
    a.environment.localeCompare(b.environment) || a.repository.localeCompare(b.repository);
  const data: DigestData = {
    period: period.period,
    from: period.start.toISOString(),
    to: period.end.toISOString(),
    shipped: [...shipped.values()].sort(byPlace),
    failures: [...failures.values()],
    rollbacks,
    reverts,
    incidents: [...incidents.values()],
    truncated,
  };
  const empty = !data.shipped.length && !data.failures.length && !rollbacks.length && !reverts.length;
  return empty && !data.incidents.length ? null : data;
}
