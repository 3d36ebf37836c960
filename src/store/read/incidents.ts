import type pg from "pg";
import type { z } from "zod";
import { Prisma } from "../../generated/prisma/client.js";
import type { IncidentDetailSchema, IncidentSchema } from "../../api/schemas/incidents.js";
import { suspectsNow } from "../graph/incident-suspects.js";
import { onConnection } from "../sql.js";
import { bestSuspectFirst } from "./sql-parts.js";

type Incident = z.output<typeof IncidentSchema>;

export interface IncidentFilter {
  status?: "open" | "acknowledged" | "resolved";
  source?: string;
  service?: string;
  repository?: string;
  since?: Date;
  until?: Date;
  limit: number;
  offset: number;
}

/** An incident's columns as the answer names them; its cause is its best-ranked `caused_by` link. */
const columns = Prisma.sql`i.key, i.source, i.title, i.status, i.service, i.environment, i.repository, i.url,
  i.opened_at AS "openedAt", i.acknowledged_at AS "acknowledgedAt",
  CASE WHEN i.status = 'resolved' THEN i.resolved_at END AS "resolvedAt", i.names,
  (SELECT json_build_object('deploy', l.to_key, 'confidence', l.confidence) FROM links l
    JOIN deploys d ON d.key = l.to_key WHERE l.from_key = i.key AND l.rule = 'incident-suspect'
    ORDER BY ${bestSuspectFirst("l", "d")} LIMIT 1) AS cause`;

/** Incidents, the latest opened first (GET /api/incidents). */
export function listIncidents(pool: pg.Pool, f: IncidentFilter): Promise<{ items: Incident[] }> {
  return onConnection(pool, async (sql) => ({
    items: await sql.query<Incident[]>`
      SELECT ${columns} FROM incidents i
      WHERE (${f.status ?? null}::text IS NULL OR i.status = ${f.status ?? null})
        AND (${f.source ?? null}::text IS NULL OR i.source = ${f.source ?? null})
        AND (${f.service ?? null}::text IS NULL OR lower(i.service) = lower(${f.service ?? null}))
        AND (${f.repository ?? null}::text IS NULL OR i.repository = lower(${f.repository ?? null}))
        AND (${f.since ?? null}::timestamptz IS NULL OR i.opened_at >= ${f.since ?? null})
        AND (${f.until ?? null}::timestamptz IS NULL OR i.opened_at < ${f.until ?? null})
      ORDER BY i.opened_at DESC, i.key LIMIT ${f.limit} OFFSET ${f.offset}`,
  }));
}

/**
 * One incident with its suspects: its `caused_by` links, best first, each with the evidence that
 * ranks it as the facts stand now (docs/incidents.md).
 */
export function incidentDetail(
  pool: pg.Pool,
  key: string,
  o: { windowMs: number; production: string[] },
): Promise<z.output<typeof IncidentDetailSchema> | null> {
  return onConnection(pool, async (sql) => {
    const [incident] = await sql.query<Incident[]>`SELECT ${columns} FROM incidents i WHERE i.key = ${key}`;
    if (!incident) return null;
    const links = await sql.query<Array<Omit<z.output<typeof IncidentDetailSchema>["suspects"][number], "reasons">>>`
      SELECT l.to_key AS deploy, d.repository, d.service, d.environment, d.finished_at AS "finishedAt",
        l.confidence, l.rule
      FROM links l JOIN deploys d ON d.key = l.to_key
      WHERE l.from_key = ${key} AND l.relation = 'caused_by'
      ORDER BY ${bestSuspectFirst("l", "d")}`;
    const now = await suspectsNow(sql, key, o);
    const reasons = new Map((now?.ranked ?? []).map((s) => [s.deploy, s.reasons]));
    return { incident, suspects: links.map((l) => ({ ...l, reasons: reasons.get(l.deploy) ?? [] })) };
  });
}
