import { queueUnavailable } from "../shared/errors.js";

/** How long an API call waits on Redis before answering 503. */
export const QUEUE_DEADLINE_MS = 3000;

/**
 * `work` (BullMQ calls), or a queue_unavailable refusal (503, Retry-After) after `ms`: BullMQ waits
 * for a lost Redis to come back instead of failing, which would hold the request open for good.
 */
export async function withinDeadline<T>(work: Promise<T>, ms = QUEUE_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(queueUnavailable()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (err) {
    work.catch(() => undefined); // settles after the answer: nothing left to tell
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
