import type { Priority } from "../shared/event.js";

/**
 * BullMQ runs lower numbers first, and unprioritized jobs before all prioritized ones,
 * so every job gets one of these.
 */
export const JOB_PRIORITY: Record<Priority, number> = { critical: 1, high: 2, normal: 3, low: 4 };
