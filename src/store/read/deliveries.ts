import type pg from "pg";
import type { z } from "zod";
import { Prisma } from "../../generated/prisma/client.js";
import type { StoredDeliverySchema } from "../../api/schemas/queue.js";
import type { Platform } from "../../shared/event.js";
import { onConnection } from "../sql.js";

/** A raw delivery as `GET /api/deliveries` answers it (api/schemas/queue.ts). */
export type DeliveryListItem = z.output<typeof StoredDeliverySchema>;
type DeliveryStatus = DeliveryListItem["status"];

/** `GET /api/deliveries` (contract §8): newest first, keyset on id. */
export function listDeliveries(
  pool: pg.Pool,
  q: { status?: DeliveryStatus; platform?: Platform; before?: string; limit: number },
): Promise<DeliveryListItem[]> {
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (q.platform) where.push(Prisma.sql`r.platform = ${q.platform}`);
  if (q.before) where.push(Prisma.sql`r.id < ${q.before}::uuid`);
  if (q.status === "unprocessable") where.push(Prisma.sql`r.failed_at IS NOT NULL`);
  if (q.status === "stored") where.push(Prisma.sql`r.failed_at IS NULL AND e.id IS NOT NULL`);
  if (q.status === "pending") where.push(Prisma.sql`r.failed_at IS NULL AND e.id IS NULL`);
  return onConnection(
    pool,
    (sql) => sql.query<DeliveryListItem[]>`
      SELECT r.id, r.platform, r.delivery_id AS "deliveryId", r.received_at AS "receivedAt", r.error,
             CASE WHEN r.failed_at IS NOT NULL THEN 'unprocessable' WHEN e.id IS NOT NULL THEN 'stored'
               ELSE 'pending' END AS status
      FROM raw_deliveries r LEFT JOIN events e ON e.id = r.id
      WHERE ${Prisma.join(where, " AND ")}
      ORDER BY r.id DESC LIMIT ${q.limit}`,
  );
}

/** Unprocessable deliveries per platform (GET /api/queue). */
export async function countUnprocessable(pool: pg.Pool): Promise<Record<string, number>> {
  const rows = await onConnection(
    pool,
    (sql) => sql.query<Array<{ platform: string; n: number }>>`
      SELECT platform, count(*)::int AS n FROM raw_deliveries WHERE failed_at IS NOT NULL GROUP BY platform`,
  );
  return Object.fromEntries(rows.map((r) => [r.platform, r.n]));
}
