import { z } from "zod";
import { time } from "./common.js";

/** POST /api/imports: the job made (202). */
export const ImportStartedSchema = z
  .strictObject({
    job: z.string().meta({ description: "`import-<uuid>`" }),
    status: z.string().meta({ description: "`/api/jobs/<id>`" }),
    since: time.meta({ description: "the oldest change read (the request's `since`, resolved)" }),
  })
  .meta({ id: "ImportStarted" });

const ImportProgressSchema = z
  .strictObject({
    resource: z.string().meta({ description: "pull_requests, commits, deployments, issues, …" }),
    step: z.number().int().meta({ description: "its place among the import's resources, from 1" }),
    steps: z.number().int().meta({ description: "the import's resources" }),
    items: z.number().int().meta({ description: "items of that resource read so far" }),
    pages: z.number().int(),
  })
  .meta({ id: "ImportProgress" });

const ResourceResultSchema = z.strictObject({
  resource: z.string(),
  items: z.number().int(),
  pages: z.number().int(),
  deliveries: z.number().int().meta({ description: "deliveries made from the pages this run read" }),
  duplicates: z.number().int().meta({ description: "of those, the ones the ingest queue already had" }),
  skipped: z.boolean().meta({ description: "done by an earlier attempt of the same job" }),
});

export const ImportResultSchema = z
  .strictObject({
    platform: z.string(),
    scope: z.string(),
    items: z.number().int(),
    pages: z.number().int(),
    deliveries: z.number().int(),
    duplicates: z.number().int(),
    resources: z.array(ResourceResultSchema),
  })
  .meta({ id: "ImportResult" });

/** GET /api/jobs/:id for an import job (ids `import-…`). */
export const ImportJobSchema = z
  .strictObject({
    id: z.string(),
    name: z.literal("import"),
    data: z
      .strictObject({
        platform: z.enum(["github", "linear"]),
        repository: z.string().optional(),
        team: z.string().nullable().optional(),
        since: z.string(),
      })
      .meta({ description: "what the import reads" }),
    state: z.string().meta({ description: "waiting, active, completed, failed, delayed (a retry), …" }),
    progress: z
      .union([z.number(), ImportProgressSchema])
      .meta({ description: "`{resource, step, steps, items, pages}` once started" }),
    result: ImportResultSchema.nullable().meta({ description: "once completed" }),
    failedReason: z.string().nullable(),
    attempts: z.number().int().meta({ description: "attempts made (a retried attempt resumes from the cursors)" }),
    createdAt: time,
    finishedAt: time.nullable(),
  })
  .meta({ id: "ImportJob" });
