import type Router from "@koa/router";
import type { Queue } from "bullmq";
import { z } from "zod";
import { withinDeadline } from "../http/deadline.js";
import { createRouter } from "../http/router.js";
import { importScope, type ImportPlatform, type ImportRequest } from "../import/request.js";
import { IMPORT_QUEUE, isImportJob, newImportJobId, type ImportJob } from "../queue/import/queue.js";
import { jobWithState } from "../queue/job-with-state.js";
import { route } from "./openapi.js";
import { isoDate, repository, valid } from "./params.js";
import { ImportJobSchema, ImportStartedSchema } from "./schemas/imports.js";

/** How far back an import reads when the request does not say. */
export const DEFAULT_SINCE_DAYS = 90;
const DAY_MS = 86_400_000;

/** `90d`, `12h`, or an ISO-8601 date-time with a zone; resolved against `now`. */
const since = z.union([
  z
    .string()
    .regex(/^\d{1,5}[dh]$/, "a duration (`90d`, `12h`) or an ISO-8601 date-time with a zone")
    .transform((s) => ({ ago: Number(s.slice(0, -1)) * (s.endsWith("d") ? DAY_MS : 3_600_000) })),
  isoDate.transform((at) => ({ at })),
]);

const ImportBodySchema = z
  .discriminatedUnion("platform", [
    z.strictObject({
      platform: z.literal("github"),
      repository: repository.meta({ description: "`owner/name`" }),
      since: since.optional(),
    }),
    z.strictObject({
      platform: z.literal("linear"),
      team: z
        .string()
        .regex(/^[A-Za-z0-9_]{1,20}$/, "a Linear team key")
        .transform((s) => s.toUpperCase())
        .optional()
        .meta({ description: "a team key; every team when absent" }),
      since: since.optional(),
    }),
  ])
  .meta({ id: "ImportRequest" });

type ImportBody = z.output<typeof ImportBodySchema>;

/** The request as the job carries it: `since` resolved to an ISO time now, so a retried job reads the same span. */
export function importRequest(body: ImportBody, now = Date.now()): ImportRequest {
  const s = body.since;
  const at = !s ? new Date(now - DEFAULT_SINCE_DAYS * DAY_MS) : "at" in s ? s.at : new Date(now - s.ago);
  return body.platform === "github"
    ? { platform: "github", repository: body.repository, since: at.toISOString() }
    : { platform: "linear", team: body.team ?? null, since: at.toISOString() };
}

/** An import job as GET /api/jobs/:id answers it, or null if there is none. */
export async function importJobAnswer(
  imports: Queue<ImportJob>,
  id: string,
): Promise<z.output<typeof ImportJobSchema> | null> {
  if (!isImportJob(id)) return null;
  const found = await jobWithState(imports, id);
  if (!found) return null;
  const { job, state } = found;
  return {
    id: job.id!,
    name: "import" as const,
    data: job.data,
    state,
    progress: job.progress as z.output<typeof ImportJobSchema>["progress"],
    result: job.returnvalue ?? null,
    failedReason: job.failedReason ?? null,
    attempts: job.attemptsMade,
    createdAt: new Date(job.timestamp),
    finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

/** POST /api/imports (docs/import.md): a platform's history read as a job; GET /api/jobs/:id follows it. */
export function importsApi(imports: Queue<ImportJob>, available: (platform: ImportPlatform) => boolean): Router {
  const router = createRouter();
  const doc = {
    summary: "Import a platform's history (GitHub: a repository; Linear: a team) as a job",
    description: `Reads the platform's API from \`since\` (default ${DEFAULT_SINCE_DAYS} days) and stores what its webhooks would have
delivered, marked \`source: import\`; a second import adds nothing. GET /api/jobs/:id follows the job.`,
    body: ImportBodySchema,
    scope: "admin" as const, // spends the service's own GitHub or Linear credentials
    responses: {
      202: { description: "the import job", schema: ImportStartedSchema },
      503: "this platform's import is not configured (no GitHub token or App, no Linear API key)",
    },
  };
  route(router, "post", "/imports", doc, async (ctx) => {
    const body = valid(ctx, ImportBodySchema, ctx.request.body);
    if (!body) return;
    if (!available(body.platform)) {
      ctx.status = 503;
      ctx.body = {
        error: `${body.platform} import is not configured: set ${body.platform === "github" ? "GITHUB_TOKEN (or the GitHub App)" : "LINEAR_API_KEY"}`,
      };
      return;
    }
    const request = importRequest(body);
    const jobId = newImportJobId();
    // One job per scope until it completes or fails: two would race on the scope's cursors. Asked again, the
    // running one is answered.
    const deduplication = { id: `${request.platform}:${importScope(request)}` };
    const job = await withinDeadline(imports.add(IMPORT_QUEUE, request, { jobId, deduplication }));
    // Deduplicated: the answer is the running job, with the span it reads.
    const running = job.id === jobId ? null : await withinDeadline(imports.getJob(job.id!));
    ctx.status = 202;
    ctx.body = { job: job.id, status: `/api/jobs/${job.id}`, since: new Date(running?.data.since ?? request.since) };
  });
  return router;
}
