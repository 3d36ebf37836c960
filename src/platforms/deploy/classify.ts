import type { Priority } from "../../shared/event.js";

/** Failed deploys are critical, every other deploy high (docs/operations.md "The ingest queue"). */
export const deployPriority = (status: string): Priority => (status === "failed" ? "critical" : "high");
