import type { Delivery, DeploymentRow, GithubRow, GitlabRow, NormalizedEvent } from "../shared/event.js";
import { uniqueKeys } from "../shared/keys.js";
import { firstDate } from "../shared/time.js";

/**
 * What one event of a forge (GitHub, GitLab) contributes beyond the fields every event has: its subject, the keys
 * it names, its platform row's fields, the times it happened, a deploy row.
 */
export interface EventPart<Row> {
  subject?: string | null;
  keys?: Array<string | null>;
  row?: Partial<Row>;
  when?: unknown[];
  deployment?: DeploymentRow;
}

/**
 * A forge's unified event: `row` (the fields every event of the platform has, made fresh by the caller) with the
 * part's fields laid over it, the repository's key first among its keys, the part's times.
 */
export function forgeEvent<K extends "github" | "gitlab">(
  d: Delivery,
  payload: unknown,
  o: {
    kind: K;
    row: K extends "github" ? GithubRow : GitlabRow;
    part: EventPart<GithubRow | GitlabRow>;
    repoKey: string | null;
  },
): NormalizedEvent {
  const { row, part } = o;
  for (const [k, v] of Object.entries(part.row ?? {}))
    if (v !== undefined) (row as unknown as Record<string, unknown>)[k] = v ?? null;
  const subject = part.subject ?? o.repoKey;
  const own = o.kind === "github" ? { github: row as GithubRow } : { gitlab: row as GitlabRow };
  return {
    type: d.type,
    occurredAt: firstDate(new Date(d.receivedAt), ...(part.when ?? [])),
    actor: row.sender,
    subject,
    keys: uniqueKeys(o.repoKey, subject, ...(part.keys ?? [])),
    payload,
    rows: part.deployment ? { ...own, deployment: part.deployment } : own,
  };
}
