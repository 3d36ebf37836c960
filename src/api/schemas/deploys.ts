import { z } from "zod";
import { time } from "./common.js";

/** A deploy as GET /api/deploys/:key/changes shows it. */
export const DeploySchema = z
  .strictObject({
    key: z.string(),
    repository: z.string(),
    environment: z.string(),
    sha: z.string(),
    status: z.string(),
    url: z.string().nullable(),
    startedAt: time.nullable(),
    finishedAt: time.nullable(),
    previousKey: z.string().nullable(),
    rangeKnown: z.boolean(),
  })
  .meta({ id: "Deploy" });

/** GET /api/deploys/:key/changes (contract §6). */
export const DeployChangesSchema = z
  .strictObject({
    deploy: DeploySchema,
    previous: DeploySchema.nullable(),
    rangeKnown: z.boolean().meta({ description: "whether the commits since the previous deploy are known" }),
    rollsBack: z.string().nullable().meta({ description: "the deploy this one rolls back" }),
    commits: z.array(
      z.strictObject({ key: z.string(), sha: z.string(), message: z.string().nullable(), authoredAt: time.nullable() }),
    ),
    pullRequests: z.array(
      z.strictObject({
        key: z.string(),
        number: z.number().int(),
        title: z.string(),
        mergedAt: time.nullable(),
        mergeCommitSha: z.string().nullable(),
      }),
    ),
    issues: z.array(
      z.strictObject({
        key: z.string(),
        title: z.string().nullable(),
        state: z.string().nullable(),
        confidence: z.number(),
      }),
    ),
  })
  .meta({ id: "DeployChanges" });

/** The buckets `GET /api/metrics/dora?bucket=` cuts the window into (contract §6). */
export const BUCKETS = ["day", "week", "month"] as const;

/** DORA's five metrics (contract §6, docs/dora.md), for a whole window or one bucket of it. */
const figures = {
  deploymentFrequency: z.strictObject({ deploys: z.number().int(), perDay: z.number() }),
  leadTimeForChanges: z.strictObject({
    changes: z.number().int(),
    medianSeconds: z.number().nullable(),
    p90Seconds: z.number().nullable(),
  }),
  changeFailureRate: z.strictObject({
    deployments: z.number().int(),
    failures: z.number().int(),
    rate: z.number().nullable(),
  }),
  timeToRestore: z
    .strictObject({ restored: z.number().int(), medianSeconds: z.number().nullable() })
    .meta({ description: "failed deployment recovery time (DORA 2023's name)" }),
  deploymentReworkRate: z
    .strictObject({ deployments: z.number().int(), reworks: z.number().int(), rate: z.number().nullable() })
    .meta({ description: "DORA 2024: the share of deployments that were unplanned fixes (docs/dora.md)" }),
};
const band = z.enum(["elite", "high", "medium", "low"]).nullable();
export const DoraFiguresSchema = z.strictObject(figures).meta({ id: "DoraFigures" });

export const DoraBucketSchema = z.strictObject({ start: time, end: time, ...figures }).meta({ id: "DoraBucket" });

/** GET /api/metrics/dora (contract §6). */
export const DoraReportSchema = z
  .strictObject({
    repository: z.string().nullable().meta({ description: "the repository asked for (or null: a group)" }),
    group: z.string().nullable().meta({ description: "the group asked for (or null: a repository)" }),
    repositories: z.array(z.string()).meta({ description: "the repositories whose deploys were counted" }),
    environment: z.string().nullable(),
    environments: z.array(z.string()).meta({ description: "the environments counted" }),
    productionEnvironments: z.array(z.string()).nullable(),
    since: time,
    until: time,
    ...figures,
    deploys: z.array(
      z.strictObject({
        key: z.string(),
        repository: z.string(),
        environment: z.string(),
        status: z.string(),
        finishedAt: time,
        failure: z.boolean(),
        rework: z.boolean(),
        incidents: z.array(z.string()).meta({ description: "incidents whose most likely cause it is" }),
      }),
    ),
    bands: z
      .strictObject({
        deploymentFrequency: band,
        leadTimeForChanges: band,
        changeFailureRate: band,
        timeToRestore: band,
      })
      .meta({ description: "DORA's 2023 performance levels; rework rate has none (docs/dora.md)" }),
    series: z.array(DoraBucketSchema).optional().meta({ description: "with `bucket`: the figures per bucket" }),
  })
  .meta({ id: "DoraReport" });
