import { Prisma } from "../../generated/prisma/client.js";
import type { IncidentFact, IssueLabelsFact } from "../../correlate/facts.js";
import type { Sql as Tx } from "../sql.js";

/**
 * A column's value from the later of the stored row and the incoming event (by `at`), a known value
 * over none, and at equal times the greater: the same in any arrival order.
 */
const latest = (column: Prisma.Sql, at: Prisma.Sql) => Prisma.sql`CASE
  WHEN EXCLUDED.${column} IS NULL THEN incidents.${column}
  WHEN incidents.${column} IS NULL THEN EXCLUDED.${column}
  WHEN EXCLUDED.${at} > incidents.${at} THEN EXCLUDED.${column}
  WHEN EXCLUDED.${at} < incidents.${at} THEN incidents.${column}
  ELSE GREATEST(incidents.${column}, EXCLUDED.${column}) END`;

/**
 * Every statement writing `incidents` and `issue_labels`. Each upsert is the same in any arrival
 * order: the latest status, title, service, environment and URL by event time win, the earliest
 * opening and acknowledgement stay, the latest resolution is kept, names and evidence accumulate.
 */
export async function applyIncident(tx: Tx, f: IncidentFact, eventId: string): Promise<void> {
  await tx.execute`
    INSERT INTO incidents (key, source, title, title_at, status, status_at, service, environment, repository, url,
      opened_at, acknowledged_at, resolved_at, names, event_ids)
    VALUES (${f.key}, ${f.source}, ${f.title}, ${f.title === null ? null : f.statusAt}, ${f.status}, ${f.statusAt},
      ${f.service}, ${f.environment}, ${f.repository}, ${f.url}, ${f.openedAt}, ${f.acknowledgedAt}, ${f.resolvedAt},
      ${f.names}::text[], ARRAY[${eventId}]::uuid[])
    ON CONFLICT (key) DO UPDATE SET
      title = ${latest(Prisma.sql`title`, Prisma.sql`title_at`)},
      title_at = GREATEST(incidents.title_at, EXCLUDED.title_at),
      status = CASE WHEN EXCLUDED.status_at > incidents.status_at
        OR (EXCLUDED.status_at = incidents.status_at AND EXCLUDED.status > incidents.status)
        THEN EXCLUDED.status ELSE incidents.status END,
      status_at = GREATEST(incidents.status_at, EXCLUDED.status_at),
      service = ${latest(Prisma.sql`service`, Prisma.sql`status_at`)},
      environment = ${latest(Prisma.sql`environment`, Prisma.sql`status_at`)},
      repository = ${latest(Prisma.sql`repository`, Prisma.sql`status_at`)},
      url = ${latest(Prisma.sql`url`, Prisma.sql`status_at`)},
      opened_at = LEAST(incidents.opened_at, EXCLUDED.opened_at),
      acknowledged_at = LEAST(incidents.acknowledged_at, EXCLUDED.acknowledged_at),
      resolved_at = GREATEST(incidents.resolved_at, EXCLUDED.resolved_at),
      names = ARRAY(SELECT DISTINCT n FROM unnest(incidents.names || EXCLUDED.names) n ORDER BY n),
      event_ids = ARRAY(SELECT DISTINCT e FROM unnest(incidents.event_ids || EXCLUDED.event_ids) e ORDER BY e)`;
}

/** An issue's labels: those of its latest event by time. */
export async function applyIssueLabels(tx: Tx, f: IssueLabelsFact): Promise<void> {
  await tx.execute`
    INSERT INTO issue_labels (key, labels, labels_at) VALUES (${f.key}, ${f.labels}::text[], ${f.at})
    ON CONFLICT (key) DO UPDATE SET labels = EXCLUDED.labels, labels_at = EXCLUDED.labels_at
    WHERE EXCLUDED.labels_at > issue_labels.labels_at
      OR (EXCLUDED.labels_at = issue_labels.labels_at AND EXCLUDED.labels::text > issue_labels.labels::text)`;
}
