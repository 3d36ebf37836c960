import type { Job, Queue } from "bullmq";

/**
 * A job and its state, the state read first: BullMQ moves a job and updates its hash in one script, so a job read
 * after its state is at least as new (a failed job is never answered with the attempts or reason it had before
 * failing). Null when the queue has no such job.
 */
export async function jobWithState<T>(queue: Queue<T>, id: string): Promise<{ job: Job<T>; state: string } | null> {
  const state = await queue.getJobState(id);
  if (state === "unknown") return null;
  const job = await queue.getJob(id);
  return job ? { job, state } : null;
}
