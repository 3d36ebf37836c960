// The latest deploy per (repository, environment), read from the most recent deploy events: the
// API has no deploy list, and the events index by platform (and by type prefix) answers this in
// milliseconds even over a million events.
import { queryString, sharedGet, type EventSummary, type Page } from "./api";

export interface RecentDeploy {
  key: string;
  repository: string;
  environment: string;
  status: string;
  at: string;
  eventId: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" ? (v as Obj) : {});
const str = (v: unknown) => (typeof v === "string" ? v : "");

/** A generic deploy body (contract §2) or a GitHub deployment / deployment_status payload. */
function deployOf(e: EventSummary): RecentDeploy | null {
  const p = obj(e.payload);
  if (!e.subject?.startsWith("deploy:")) return null;
  const generic = e.platform === "deploy";
  const deployment = obj(p.deployment);
  const repository = generic ? str(p.repository) : str(obj(p.repository).full_name);
  const environment = generic
    ? str(p.environment)
    : str(obj(p.deployment_status).environment) || str(deployment.environment);
  const status = generic ? str(p.status) : str(obj(p.deployment_status).state) || "created";
  if (!repository || !environment) return null;
  return { key: e.subject, repository: repository.toLowerCase(), environment, status, at: e.occurredAt, eventId: e.id };
}

/** Newest first, one per (repository, environment), from the latest `scan` deploy events. */
export async function recentDeploys(scan = 200): Promise<RecentDeploy[]> {
  // Shared: the overview and the DORA page ask for the same, often one right after the other.
  const events = (q: Record<string, string | number>) => sharedGet<Page<EventSummary>>(`/api/events${queryString(q)}`);
  const [generic, github] = await Promise.all([
    events({ platform: "deploy", limit: scan }),
    events({ type: "github.deployment*", limit: Math.ceil(scan / 2) }),
  ]);
  const latest = new Map<string, RecentDeploy>();
  for (const e of [...generic.items, ...github.items]) {
    const d = deployOf(e);
    if (!d) continue;
    const id = `${d.repository}|${d.environment}`;
    const seen = latest.get(id);
    if (!seen || seen.at < d.at) latest.set(id, d);
  }
  return [...latest.values()].sort((a, b) => (a.at < b.at ? 1 : -1));
}
