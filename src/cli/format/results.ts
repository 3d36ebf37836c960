import { fields, table } from "./table.js";
import { clip, when } from "./values.js";
import type { ImportJob, Job } from "../../api/schemas/answers.js";

/** What `rules backfill` reads of a job (GET /api/jobs/:id; `data`, `progress` and `result` are the backfill's). */
export type JobAnswer = Pick<Job, "id" | "state"> &
  Partial<Pick<Job, "failedReason" | "createdAt" | "finishedAt">> & {
    data?: { rule?: string };
    progress?: { processed?: number; total?: number } | number;
    result?: { processed?: number; total?: number } | null;
  };

export function jobView(j: JobAnswer): string {
  const progress = typeof j.progress === "object" ? j.progress : undefined;
  const done = j.result ?? progress;
  return fields([
    ["job", j.id],
    ["rule", j.data?.rule],
    ["state", j.state],
    ["events", done?.total === undefined ? null : `${done.processed ?? 0} of ${done.total}`],
    ["failed", j.failedReason],
    ["started", j.createdAt ? when(j.createdAt) : null],
    ["finished", j.finishedAt ? when(j.finishedAt) : null],
  ]);
}

export function replayView(r: { replayed: number; unprocessable: Array<{ id: string; error: string }> }): string {
  const head = `replayed ${r.replayed} deliveries; ${r.unprocessable.length} unprocessable`;
  if (!r.unprocessable.length) return head;
  return `${head}\n\n${table(
    ["id", "error"],
    r.unprocessable.map((u) => [u.id, clip(u.error, 80)]),
  )}`;
}

export function reconcileView(r: {
  listed: number;
  failed: number;
  stored: number;
  redelivered: string[];
  skipped: Array<{ guid: string; reason: string }>;
  errors: Array<{ guid: string; message: string }>;
}): string {
  const summary = fields([
    ["attempts listed", r.listed],
    ["failed deliveries", r.failed],
    ["stored anyway", r.stored],
    ["redelivered", r.redelivered.length],
    ["skipped", r.skipped.length],
    ["errors", r.errors.length],
  ]);
  const rows = [
    ...r.redelivered.map((guid) => [guid, "redelivered", ""]),
    ...r.skipped.map((s) => [s.guid, "skipped", s.reason]),
    ...r.errors.map((e) => [e.guid, "error", clip(e.message, 80)]),
  ];
  return rows.length ? `${summary}\n\n${table(["delivery", "outcome", "why"], rows)}` : summary;
}

/** POST /api/subscriptions: the secret is shown once, so it is said plainly. */
export function createdSubscription(s: { name: string; kind: string; secret?: string }): string {
  const lines = [`subscription ${s.name} (${s.kind}) created`];
  if (s.secret) lines.push(`secret: ${s.secret}`, "keep it now: it is not shown again");
  return lines.join("\n");
}

/** What `import` reads of an import job (GET /api/jobs/:id with an `import-…` id). */
/** GET /api/jobs/:id of an import, as its answer schema types it (api/schemas/imports.ts). */
export type ImportJobAnswer = ImportJob;

/** An import job for people: what it read, then one row per resource once done. */
export function importView(j: ImportJobAnswer): string {
  const scope = j.data?.repository ?? (j.data?.platform === "linear" ? (j.data.team ?? "every team") : null);
  const progress = typeof j.progress === "object" ? j.progress : undefined;
  const head = fields([
    ["job", j.id],
    ["import", j.data?.platform && scope ? `${j.data.platform} ${scope}` : (j.data?.platform ?? null)],
    ["since", j.data?.since ? when(j.data.since) : null],
    ["state", j.state],
    [
      "read",
      j.result
        ? `${j.result.items} items in ${j.result.pages} pages: ${j.result.deliveries} deliveries (${j.result.duplicates} already queued)`
        : progress?.resource
          ? `${progress.items ?? 0} ${progress.resource} in ${progress.pages ?? 0} pages so far`
          : null,
    ],
    ["attempts", j.attempts && j.attempts > 1 ? String(j.attempts) : null],
    ["failed", j.failedReason ?? null],
    ["finished", j.finishedAt ? when(j.finishedAt) : null],
  ]);
  if (!j.result) return head;
  return `${head}\n\n${table(
    ["resource", "items", "pages", "deliveries"],
    j.result.resources.map((r) => [
      r.resource,
      String(r.items),
      String(r.pages),
      r.skipped ? "(done before a retry)" : String(r.deliveries),
    ]),
  )}`;
}
