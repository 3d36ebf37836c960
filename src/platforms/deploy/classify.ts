import type { Priority } from "../../shared/event.js";

/** Failed deploys are critical, every other deploy high (README "Queue priorities"). */
export const deployPriority = (status: string): Priority => (status === "failed" ? "critical" : "high");
