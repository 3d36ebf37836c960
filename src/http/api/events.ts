import Router from "@koa/router";
import { z } from "zod";
import { Prisma, type PrismaClient } from "../../generated/prisma/client.js";
import { PLATFORMS } from "../../shared/event.js";
import { decodeCursor, encodeCursor } from "../../api/cursor.js";
import { globToLike } from "../../shared/glob.js";
import { badRequest, notFound } from "../respond.js";

const listQuery = z.object({
  platform: z.enum(PLATFORMS).optional(),
  type: z.string().min(1).max(200).optional(),
  subject: z.string().min(1).max(500).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional(),
});

const uuid = z.uuid();

interface EventRow {
  id: string;
  platform: string;
  type: string;
  deliveryId: string;
  occurredAt: Date;
  receivedAt: Date;
  actor: string | null;
  subject: string | null;
  keys: string[];
  priority: string;
  payload: unknown;
}

/** GET /api/events and /api/events/:id (SPEC §6). */
export function eventsApi(prisma: PrismaClient): Router {
  const router = new Router();

  router.get("/events", async (ctx) => {
    const parsed = listQuery.safeParse(ctx.query);
    if (!parsed.success) return badRequest(ctx, parsed.error);
    const q = parsed.data;
    const cursor = q.cursor ? decodeCursor(q.cursor) : null;
    if (q.cursor && !cursor) return badRequest(ctx, ["cursor: invalid"]);
    const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
    if (q.platform) where.push(Prisma.sql`platform = ${q.platform}`);
    if (q.type) where.push(Prisma.sql`type LIKE ${globToLike(q.type)}`);
    if (q.subject) where.push(Prisma.sql`subject = ${q.subject}`);
    if (q.since) where.push(Prisma.sql`occurred_at >= ${new Date(q.since)}`);
    if (q.until) where.push(Prisma.sql`occurred_at < ${new Date(q.until)}`);
    if (cursor) where.push(Prisma.sql`(occurred_at, id) < (${cursor.occurredAt}, ${cursor.id}::uuid)`);
    const rows = await prisma.$queryRaw<EventRow[]>`
      SELECT id, platform, type, delivery_id AS "deliveryId", occurred_at AS "occurredAt",
             received_at AS "receivedAt", actor, subject, keys, priority, payload
      FROM events WHERE ${Prisma.join(where, " AND ")}
      ORDER BY occurred_at DESC, id DESC LIMIT ${q.limit + 1}`;
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    ctx.body = { items, next: rows.length > q.limit && last ? encodeCursor(last) : null };
  });

  router.get("/events/:id", async (ctx) => {
    if (!uuid.safeParse(ctx.params.id).success) return badRequest(ctx, ["id: must be a UUID"]);
    const found = await prisma.event.findUnique({
      where: { id: ctx.params.id },
      include: { raw: true, github: true, slack: true, linear: true, deployment: true },
    });
    if (!found) return notFound(ctx, "event");
    const { raw, github, slack, linear, deployment, storedAt: _storedAt, ...event } = found;
    const rows = Object.fromEntries(Object.entries({ github, slack, linear, deployment }).filter(([, v]) => v));
    ctx.body = { event, rows, raw: { contentType: raw.contentType, headers: raw.headers, body: raw.body, receivedAt: raw.receivedAt } };
  });

  return router;
}
