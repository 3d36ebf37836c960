import type { DeployStatus, Priority } from "../../shared/event.js";
import { deployPriority } from "../deploy/classify.js";

/** `X-Netlify-Event` is bounded like every event name of contract §2 (`deploy_building`, `deploy_locked`). */
export const NETLIFY_EVENT = /^[a-z_]{1,64}$/;

/**
 * The events that make a deploy row, and the status each reports. Netlify names a finished deploy
 * `deploy_created` (its "Deploy succeeded" notification).
 */
const DEPLOY_STATUS: Readonly<Record<string, DeployStatus>> = {
  deploy_building: "started",
  deploy_created: "succeeded",
  deploy_failed: "failed",
};

export const netlifyDeployStatus = (event: string): DeployStatus | undefined =>
  Object.hasOwn(DEPLOY_STATUS, event) ? DEPLOY_STATUS[event] : undefined;

/** Failed deploys critical, other deploys high (as the generic receiver), locks and the rest normal. */
export function netlifyPriority(event: string): Priority {
  const status = netlifyDeployStatus(event);
  return status ? deployPriority(status) : "normal";
}
