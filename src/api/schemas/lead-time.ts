import { z } from "zod";
import { time } from "./common.js";

export { STAGES, type Stage } from "./lead-time-stages.js";

/** The four stages of a PR's lead time (lead-time-stages.ts). */
const stages = <T extends z.ZodType>(of: T) => z.strictObject({ coding: of, pickup: of, review: of, deploy: of });

export const StageSummarySchema = z
  .strictObject({
    count: z.number().int().meta({ description: "PRs whose stage is known" }),
    medianSeconds: z.number().nullable(),
    p90Seconds: z.number().nullable(),
  })
  .meta({ id: "StageSummary" });

export const LeadTimeStagesSchema = stages(StageSummarySchema).meta({ id: "LeadTimeStages" });

/** GET /api/metrics/lead-time (contract §6). */
export const LeadTimeReportSchema = z
  .strictObject({
    repository: z.string().nullable(),
    group: z.string().nullable(),
    repositories: z.array(z.string()).meta({ description: "the repositories counted (a group's, or the one)" }),
    environment: z.string().nullable(),
    productionEnvironments: z.array(z.string()).nullable(),
    since: time,
    until: time,
    merged: z.number().int().meta({ description: "PRs merged in the window" }),
    stages: LeadTimeStagesSchema,
    byRepository: z.array(
      z.strictObject({ repository: z.string(), merged: z.number().int(), stages: LeadTimeStagesSchema }),
    ),
    pullRequests: z.array(
      z.strictObject({
        key: z.string(),
        repository: z.string(),
        number: z.number().int(),
        title: z.string(),
        author: z.string().nullable(),
        firstCommitAt: time.nullable(),
        openedAt: time.nullable(),
        firstReviewAt: time.nullable().meta({ description: "the first review by someone other than the author" }),
        mergedAt: time,
        deploy: z.string().nullable().meta({ description: "the first counted deploy that shipped it" }),
        deployedAt: time.nullable(),
        stages: stages(z.number().nullable()).meta({ description: "seconds; null when an end is unknown" }),
      }),
    ),
  })
  .meta({ id: "LeadTimeReport" });
