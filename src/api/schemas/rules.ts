import { z } from "zod";
import { customRuleSchema } from "../../correlate/rule-schema.js";
import { time } from "./common.js";

/** A custom rule's definition (contract §7): the body of POST /api/rules, and what a custom rule shows. */
export const CustomRuleSchema = customRuleSchema.meta({
  id: "CustomRule",
  description: "a custom correlation rule (contract §7)",
});

const builtinRule = z.strictObject({
  name: z.string(),
  builtin: z.literal(true),
  enabled: z.boolean(),
  relation: z.string(),
  confidence: z.number(),
  description: z.string(),
});
const customRule = z.strictObject({
  name: z.string(),
  builtin: z.literal(false),
  enabled: z.boolean(),
  version: z.number().int(),
  definition: CustomRuleSchema.meta({ description: "as saved, without `enabled`" }),
  updatedAt: time,
});

/** A rule as /api/rules shows it: built-in (its relation and confidence) or custom (its definition). */
export const RuleSchema = z.discriminatedUnion("builtin", [builtinRule, customRule]).meta({ id: "Rule" });

export const RuleListSchema = z.strictObject({ items: z.array(RuleSchema) }).meta({ id: "RuleList" });

/** POST /api/rules/test: the links the rule would make. */
export const RuleTestSchema = z
  .strictObject({
    links: z.array(
      z.strictObject({
        from: z.string(),
        to: z.string(),
        relation: z.string(),
        rule: z.string(),
        confidence: z.number(),
      }),
    ),
  })
  .meta({ id: "RuleTest" });

/** POST /api/rules/:name/backfill. */
export const BackfillStartedSchema = z
  .strictObject({ job: z.string(), status: z.string().meta({ description: "`/api/jobs/<id>`" }) })
  .meta({ id: "BackfillStarted" });

/** A backfill's count: events processed of the total (pipeline/backfill.ts). */
const BackfillCountSchema = z
  .strictObject({ processed: z.number().int(), total: z.number().int() })
  .meta({ id: "BackfillCount" });

/** GET /api/jobs/:id: a backfill job. */
export const JobSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    data: z.strictObject({ rule: z.string() }),
    state: z.string().meta({ description: "waiting, active, completed, failed, …" }),
    progress: z.union([z.number(), BackfillCountSchema]).meta({ description: "`{processed, total}` once started" }),
    result: BackfillCountSchema.nullable().meta({ description: "once completed" }),
    failedReason: z.string().nullable(),
    createdAt: time,
    finishedAt: time.nullable(),
  })
  .meta({ id: "Job" });
