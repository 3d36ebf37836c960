import { useEffect, useState } from "react";
import { api, type Job } from "../api";
import { ErrorNote } from "./Status";

const POLL_MS = 500;
const DONE = new Set(["completed", "failed"]);

/** Processed and total events of a backfill job (its progress is `{processed, total}`). */
function counts(job: Job | null): { processed: number; total: number } | null {
  const p = job?.result ?? job?.progress;
  if (p && typeof p === "object" && typeof p.processed === "number" && typeof p.total === "number") {
    return { processed: p.processed, total: p.total };
  }
  return null;
}

/**
 * Re-applies a rule to history (POST /api/rules/:name/backfill) and follows its job
 * (GET /api/jobs/:id) with a progress bar until it completes or fails.
 */
export function Backfill({ rule }: { rule: string }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<Error | undefined>();

  useEffect(() => {
    if (!jobId) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const j = await api.job(jobId);
        if (stop) return;
        setJob(j);
        if (!DONE.has(j.state)) timer = setTimeout(poll, POLL_MS);
      } catch (err) {
        if (!stop) setError(err as Error);
      }
    };
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [jobId]);

  async function start() {
    setError(undefined);
    setJob(null);
    try {
      setJobId((await api.backfill(rule)).job);
    } catch (err) {
      setError(err as Error);
    }
  }

  const c = counts(job);
  const pct = c ? (c.total ? Math.round((c.processed / c.total) * 100) : 100) : 0;
  const running = jobId !== null && !DONE.has(job?.state ?? "");
  return (
    <div className="backfill">
      <h3>Backfill {rule}</h3>
      <p className="muted small">
        Re-applies the rule to every stored event of its type; links it already made stay as they are.
      </p>
      <button className="secondary" onClick={start} disabled={running}>
        {running ? "Running…" : "Start backfill"}
      </button>
      <ErrorNote error={error} />
      {jobId && (
        <div className="progress-wrap" data-testid="backfill" data-state={job?.state ?? "queued"}>
          <progress max={100} value={pct} />
          <span>
            job {jobId}: {job?.state ?? "queued"}
            {c && ` · ${c.processed} of ${c.total} events (${pct} %)`}
            {job?.failedReason && ` · ${job.failedReason}`}
          </span>
        </div>
      )}
    </div>
  );
}
