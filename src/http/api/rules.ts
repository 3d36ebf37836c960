import Router from "@koa/router";
import type { Queue } from "bullmq";
import { z } from "zod";
import { Prisma, type PrismaClient } from "../../generated/prisma/client.js";
import { badRequest, notFound } from "../respond.js";
import { BUILTIN_RULES } from "../../correlate/builtin-rules.js";
import { applyCustomRule, compileRule } from "../../correlate/custom-rules.js";
import type { RuleBook } from "../../pipeline/rule-book.js";

export const BACKFILL_QUEUE = "backfill";

const testBody = z.strictObject({
  rule: z.unknown(),
  event: z.object({
    id: z.string().default("00000000-0000-0000-0000-000000000000"),
    platform: z.string().default("github"),
    type: z.string(),
    subject: z.string().nullable(),
    actor: z.string().nullable().default(null),
    payload: z.unknown(),
  }),
});

function describe(row: { name: string; builtin: boolean; enabled: boolean; version: number; definition: unknown; updatedAt: Date } | null, name: string) {
  const builtin = BUILTIN_RULES[name as keyof typeof BUILTIN_RULES];
  if (builtin) return { name, builtin: true, enabled: row?.enabled ?? true, ...builtin };
  if (!row) return null;
  return { name, builtin: false, enabled: row.enabled, version: row.version, definition: row.definition, updatedAt: row.updatedAt };
}

/** /api/rules (SPEC §6, §7): list, create, read, update, delete, test, backfill; /api/jobs/:id. */
export function rulesApi(prisma: PrismaClient, book: RuleBook, backfills: Queue): Router {
  const router = new Router();

  router.get("/rules", async (ctx) => {
    const rows = await prisma.rule.findMany({ orderBy: { name: "asc" } });
    const names = [...new Set([...Object.keys(BUILTIN_RULES), ...rows.map((r) => r.name)])];
    ctx.body = { items: names.map((n) => describe(rows.find((r) => r.name === n) ?? null, n)) };
  });

  router.get("/rules/:name", async (ctx) => {
    const rule = describe(await prisma.rule.findUnique({ where: { name: ctx.params.name! } }), ctx.params.name!);
    if (!rule) return notFound(ctx, "rule");
    ctx.body = rule;
  });

  router.post("/rules", async (ctx) => {
    const c = compileRule(ctx.request.body);
    if (!c.ok) return badRequest(ctx, c.errors, 422);
    const { enabled = true, ...definition } = c.compiled.rule;
    try {
      await prisma.rule.create({ data: { name: definition.name, enabled, definition, versions: { create: { version: 1, definition } } } });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
        ctx.status = 409;
        ctx.body = { error: `rule ${definition.name} exists; PUT /api/rules/${definition.name} to change it` };
        return;
      }
      throw err;
    }
    book.invalidate();
    ctx.status = 201;
    ctx.body = describe(await prisma.rule.findUnique({ where: { name: definition.name } }), definition.name);
  });

  router.put("/rules/:name", async (ctx) => {
    const name = ctx.params.name!;
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (name in BUILTIN_RULES) {
      const parsed = z.strictObject({ enabled: z.boolean() }).safeParse(body);
      if (!parsed.success) return badRequest(ctx, ["built-in rules take only {\"enabled\": true|false}"], 422);
      await prisma.rule.upsert({ where: { name }, create: { name, builtin: true, enabled: parsed.data.enabled }, update: { enabled: parsed.data.enabled } });
    } else {
      const existing = await prisma.rule.findUnique({ where: { name } });
      if (!existing) return notFound(ctx, "rule");
      const onlyEnabled = Object.keys(body).length === 1 && typeof body.enabled === "boolean";
      if (onlyEnabled) {
        await prisma.rule.update({ where: { name }, data: { enabled: body.enabled as boolean, updatedAt: new Date() } });
      } else {
        const c = compileRule({ ...body, name });
        if (!c.ok) return badRequest(ctx, c.errors, 422);
        const { enabled = existing.enabled, ...definition } = c.compiled.rule;
        const version = existing.version + 1;
        await prisma.rule.update({
          where: { name },
          data: { enabled, definition, version, updatedAt: new Date(), versions: { create: { version, definition } } },
        });
      }
    }
    book.invalidate();
    ctx.body = describe(await prisma.rule.findUnique({ where: { name } }), name);
  });

  router.delete("/rules/:name", async (ctx) => {
    const name = ctx.params.name!;
    if (name in BUILTIN_RULES) return badRequest(ctx, ["built-in rules cannot be deleted; disable them instead"], 422);
    const deleted = await prisma.$transaction(async (tx) => {
      const { count } = await tx.rule.deleteMany({ where: { name } });
      // The links a custom rule made go with it: they have no other evidence of being right.
      if (count) await tx.link.deleteMany({ where: { rule: name } });
      return count;
    });
    if (!deleted) return notFound(ctx, "rule");
    book.invalidate();
    ctx.status = 204;
  });

  router.post("/rules/test", async (ctx) => {
    const parsed = testBody.safeParse(ctx.request.body);
    if (!parsed.success) return badRequest(ctx, parsed.error);
    const c = compileRule(parsed.data.rule);
    if (!c.ok) return badRequest(ctx, c.errors, 422);
    ctx.body = { links: applyCustomRule(c.compiled, parsed.data.event) };
  });

  router.post("/rules/:name/backfill", async (ctx) => {
    const name = ctx.params.name!;
    if (!(name in BUILTIN_RULES) && !(await prisma.rule.findUnique({ where: { name } }))) return notFound(ctx, "rule");
    const job = await backfills.add("backfill", { rule: name }, { attempts: 3, backoff: { type: "exponential", delay: 1000 } });
    ctx.status = 202;
    ctx.body = { job: job.id, status: `/api/jobs/${job.id}` };
  });

  router.get("/jobs/:id", async (ctx) => {
    const job = await backfills.getJob(ctx.params.id!);
    if (!job) return notFound(ctx, "job");
    ctx.body = {
      id: job.id,
      name: job.name,
      data: job.data,
      state: await job.getState(),
      progress: job.progress,
      result: job.returnvalue ?? null,
      failedReason: job.failedReason ?? null,
      createdAt: new Date(job.timestamp),
      finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    };
  });

  return router;
}
