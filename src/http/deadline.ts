import { deadline } from "../shared/deadline.js";
import { queueUnavailable } from "../shared/errors.js";

/** How long an API call waits on Redis before answering 503. */
const QUEUE_DEADLINE_MS = 3000;

/**
 * `work` (BullMQ calls), or a queue_unavailable refusal (503, Retry-After) after `ms`: BullMQ waits
 * for a lost Redis to come back instead of failing, which would hold the request open for good.
 */
export const withinDeadline = <T>(work: Promise<T>, ms = QUEUE_DEADLINE_MS): Promise<T> =>
  deadline(work, ms, queueUnavailable);
