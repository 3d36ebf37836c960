import type { DeployStatus, Priority } from "../../shared/event.js";
import { deployPriority } from "../deploy/classify.js";

/**
 * Vercel's event types: `deployment.succeeded`, `project.created`, `integration-configuration.removed`,
 * `deployment.integration.action.start`.
 */
export const VERCEL_TYPE = /^[a-z][a-z0-9-]{0,40}(\.[a-z][a-z0-9-]{0,40}){1,3}$/;

/** The deployment events that make a deploy row, and the status each reports. */
export const VERCEL_DEPLOY_STATUS: Readonly<Record<string, DeployStatus>> = {
  "deployment.created": "started",
  "deployment.succeeded": "succeeded",
  "deployment.error": "failed",
  "deployment.canceled": "cancelled",
  // A promotion puts a built deployment in production: it succeeded there.
  "deployment.promoted": "succeeded",
};

export const vercelDeployStatus = (type: string): DeployStatus | undefined =>
  Object.hasOwn(VERCEL_DEPLOY_STATUS, type) ? VERCEL_DEPLOY_STATUS[type] : undefined;

/** Failed deploys critical, other deploys high (as the generic receiver), everything else normal. */
export function vercelPriority(type: string): Priority {
  const status = vercelDeployStatus(type);
  return status ? deployPriority(status) : "normal";
}
