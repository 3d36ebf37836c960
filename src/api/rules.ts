import { jobWithState } from "../queue/job-with-state.js";
import { LOWEST_UUID } from "../shared/bounds.js";
import Router from "@koa/router";
import { createRouter } from "../http/router.js";
import type { Queue } from "bullmq";
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client.js";
import { withinDeadline } from "../http/deadline.js";
import { route } from "./openapi.js";
import { isImportJob } from "../queue/import/queue.js";
import { ImportJobSchema } from "./schemas/imports.js";
import {
  BackfillStartedSchema,
  CustomRuleSchema,
  JobSchema,
  RuleListSchema,
  RuleSchema,
  RuleTestSchema,
} from "./schemas/rules.js";
import { badRequest, notFound, conflict } from "../http/respond.js";
import { BUILTIN_RULES, isBuiltinRule as isBuiltin } from "../correlate/builtin-rules.js";
import { applyCustomRule, compileRule } from "../correlate/custom-rules.js";
import type { RuleBook } from "../pipeline/rule-book.js";
import {
  createRule,
  deleteRule,
  findRule,
  listRules,
  RuleExists,
  setRuleEnabled,
  updateRule,
  type RuleRow,
} from "../store/rules.js";
import { jobId, ruleName, valid } from "./params.js";

const nameParams = z.object({ name: ruleName });
const idParams = z.object({ id: jobId });
/** GET /api/jobs/:id answers both kinds of job. */
const AnyJobSchema = z.union([JobSchema, ImportJobSchema]).meta({ id: "AnyJob" });

/** The rule as documented (one component); compileRule validates with the same schema. */
const ruleBody = CustomRuleSchema;
/**
 * PUT: a whole rule (the path names it, whatever its `name` says), or only `enabled`; built-in
 * rules take only `enabled`.
 */
const enabledOnly = z.strictObject({ enabled: z.boolean() });
const putBody = z.union([enabledOnly, ruleBody]);

const testBody = z.strictObject({
  // Checked by compileRule after this schema, so that a bad rule is a 422 like on save.
  rule: z.unknown().meta({ description: "a custom rule, as for POST /api/rules" }),
  event: z.object({
    id: z.string().default(LOWEST_UUID),
    platform: z.string().default("github"),
    type: z.string(),
    subject: z.string().nullable(),
    actor: z.string().nullable().default(null),
    payload: z.unknown(),
  }),
});

function describe(row: RuleRow | null, name: string) {
  if (isBuiltin(name)) return { name, builtin: true, enabled: row?.enabled ?? true, ...BUILTIN_RULES[name] };
  if (!row) return null;
  return {
    name,
    builtin: false,
    enabled: row.enabled,
    version: row.version,
    definition: row.definition,
    updatedAt: row.updatedAt,
  };
}

/** /api/rules (contract §6, §7): list, create, read, update, delete, test, backfill; /api/jobs/:id. */
export function rulesApi(
  prisma: PrismaClient,
  book: RuleBook,
  backfills: Queue,
  /** Import jobs (ids `import-…`, src/api/imports.ts) are answered at /api/jobs/:id too. */
  importJob: (id: string) => Promise<z.output<typeof ImportJobSchema> | null> = async () => null,
): Router {
  const router = createRouter();

  const listDoc = {
    summary: "Built-in and custom rules",
    responses: { 200: { description: "every rule", schema: RuleListSchema } },
  };
  route(router, "get", "/rules", listDoc, async (ctx) => {
    const rows = await listRules(prisma);
    const names = [...new Set([...Object.keys(BUILTIN_RULES), ...rows.map((r) => r.name)])];
    ctx.body = { items: names.map((n) => describe(rows.find((r) => r.name === n) ?? null, n)) };
  });

  const getDoc = {
    summary: "One rule",
    params: nameParams,
    responses: { 200: { description: "the rule", schema: RuleSchema }, 404: "no such rule" },
  };
  route(router, "get", "/rules/:name", getDoc, async (ctx) => {
    const p = valid(ctx, nameParams, ctx.params);
    if (!p) return;
    const rule = describe(await findRule(prisma, p.name), p.name);
    if (!rule) return notFound(ctx, "rule");
    ctx.body = rule;
  });

  const createDoc = {
    summary: "Create a custom rule (contract §7)",
    body: ruleBody,
    responses: {
      201: { description: "the rule, version 1", schema: RuleSchema },
      409: "a rule of that name exists",
      422: "the rule is refused: every problem listed",
    },
  };
  route(router, "post", "/rules", createDoc, async (ctx) => {
    const c = compileRule(ctx.request.body);
    if (!c.ok) return badRequest(ctx, c.errors, 422);
    const { enabled = true, ...definition } = c.compiled.rule;
    try {
      await createRule(prisma, definition.name, enabled, definition);
    } catch (err) {
      if (err instanceof RuleExists)
        return conflict(ctx, `rule ${definition.name} exists; PUT /api/rules/${definition.name} to change it`);
      throw err;
    }
    book.invalidate();
    ctx.status = 201;
    ctx.body = describe(await findRule(prisma, definition.name), definition.name);
  });

  const putDoc = {
    summary: "Replace a custom rule (a new version) or enable/disable any rule",
    params: nameParams,
    body: putBody,
    responses: {
      200: { description: "the rule", schema: RuleSchema },
      404: "no such rule",
      422: "the rule is refused: every problem listed",
    },
  };
  route(router, "put", "/rules/:name", putDoc, async (ctx) => {
    const p = valid(ctx, nameParams, ctx.params);
    if (!p) return;
    const { name } = p;
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (isBuiltin(name)) {
      const parsed = enabledOnly.safeParse(body);
      if (!parsed.success) return badRequest(ctx, ['built-in rules take only {"enabled": true|false}'], 422);
      await setRuleEnabled(prisma, name, parsed.data.enabled, true);
    } else {
      const existing = await findRule(prisma, name);
      if (!existing) return notFound(ctx, "rule");
      const onlyEnabled = enabledOnly.safeParse(body);
      if (onlyEnabled.success) {
        await setRuleEnabled(prisma, name, onlyEnabled.data.enabled, false);
      } else {
        const c = compileRule({ ...body, name });
        if (!c.ok) return badRequest(ctx, c.errors, 422);
        const { enabled = existing.enabled, ...definition } = c.compiled.rule;
        const version = existing.version + 1;
        await updateRule(prisma, name, version, enabled, definition);
      }
    }
    book.invalidate();
    ctx.body = describe(await findRule(prisma, name), name);
  });

  const deleteDoc = {
    summary: "Delete a custom rule (built-in rules can only be disabled)",
    params: nameParams,
    responses: { 204: "deleted", 404: "no such rule", 422: "a built-in rule" },
  };
  route(router, "delete", "/rules/:name", deleteDoc, async (ctx) => {
    const p = valid(ctx, nameParams, ctx.params);
    if (!p) return;
    const { name } = p;
    if (isBuiltin(name)) return badRequest(ctx, ["built-in rules cannot be deleted; disable them instead"], 422);
    if (!(await deleteRule(prisma, name))) return notFound(ctx, "rule");
    book.invalidate();
    ctx.status = 204;
  });

  const testDoc = {
    summary: "Dry run: the links a rule would make from an event",
    body: testBody,
    responses: {
      200: { description: "the links the rule would make", schema: RuleTestSchema },
      422: "the rule is refused: every problem listed",
    },
  };
  route(router, "post", "/rules/test", testDoc, async (ctx) => {
    const parsed = testBody.safeParse(ctx.request.body);
    if (!parsed.success) return badRequest(ctx, parsed.error);
    const c = compileRule(parsed.data.rule);
    if (!c.ok) return badRequest(ctx, c.errors, 422);
    ctx.body = { links: applyCustomRule(c.compiled, parsed.data.event) };
  });

  const backfillDoc = {
    summary: "Re-apply a rule to stored history, as a job",
    params: nameParams,
    responses: { 202: { description: "the backfill job", schema: BackfillStartedSchema }, 404: "no such rule" },
  };
  route(router, "post", "/rules/:name/backfill", backfillDoc, async (ctx) => {
    const p = valid(ctx, nameParams, ctx.params);
    if (!p) return;
    const { name } = p;
    if (!isBuiltin(name) && !(await findRule(prisma, name))) return notFound(ctx, "rule");
    const job = await withinDeadline(
      backfills.add("backfill", { rule: name }, { attempts: 3, backoff: { type: "exponential", delay: 1000 } }),
    );
    ctx.status = 202;
    ctx.body = { job: job.id, status: `/api/jobs/${job.id}` };
  });

  const jobDoc = {
    summary: "A rule backfill or history import job: state, progress, result",
    params: idParams,
    responses: {
      200: { description: "the job (an import's id starts `import-`)", schema: AnyJobSchema },
      404: "no such job",
    },
  };
  route(router, "get", "/jobs/:id", jobDoc, async (ctx) => {
    const p = valid(ctx, idParams, ctx.params);
    if (!p) return;
    if (isImportJob(p.id)) {
      const answer = await withinDeadline(importJob(p.id));
      if (!answer) return notFound(ctx, "job");
      ctx.body = answer;
      return;
    }
    const found = await withinDeadline(jobWithState(backfills, p.id));
    if (!found) return notFound(ctx, "job");
    const { job, state } = found;
    ctx.body = {
      id: job.id,
      name: job.name,
      data: job.data,
      state,
      progress: job.progress,
      result: job.returnvalue ?? null,
      failedReason: job.failedReason ?? null,
      createdAt: new Date(job.timestamp),
      finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    };
  });

  return router;
}
