import type { Priority } from "../../shared/event.js";
import { objectOf } from "../incident-fields.js";
import { typeWord } from "../platform.js";
import { deployEnvironment, type DeployWorkflow } from "./deploy-workflows.js";

type Obj = Record<string, unknown>;

const DEPLOY = "circleci.workflow-completed.deploy.";

/**
 * `circleci.<type>` (`circleci.job-completed`, `circleci.workflow-completed`), or for a completed workflow
 * CIRCLECI_DEPLOY_WORKFLOWS names `circleci.workflow-completed.deploy.<environment>`: the decision is made at
 * receipt and kept in the stored type, so normalize (and a later replay) needs no configuration.
 */
export function circleciType(payload: Obj, workflows: readonly DeployWorkflow[]): string {
  const type = typeWord(payload.type) ?? "unknown";
  if (type !== "workflow-completed") return `circleci.${type}`;
  const name = objectOf(payload.workflow).name;
  const environment = typeof name === "string" ? deployEnvironment(workflows, name) : null;
  return environment ? `${DEPLOY}${environment}` : `circleci.${type}`;
}

/** The environment a deploy type names, or null for any other CircleCI type. */
export const environmentOfType = (type: string): string | null =>
  type.startsWith(DEPLOY) ? type.slice(DEPLOY.length) || null : null;

/**
 * Failed deploys critical, other deploys high (as `deploy.*`), other workflows normal, jobs low
 * (docs/operations.md "The ingest queue").
 */
export function circleciPriority(type: string, workflowStatus: unknown): Priority {
  if (environmentOfType(type)) return workflowStatus === "failed" || workflowStatus === "error" ? "critical" : "high";
  return type === "circleci.job-completed" ? "low" : "normal";
}
