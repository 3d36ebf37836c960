import { bounded, LIMITS, boundedName } from "../../shared/bounds.js";
import type { DeploymentRow, Delivery, NormalizedEvent } from "../../shared/event.js";
import { deployKey, fullSha } from "../../shared/keys.js";
import { deployEvent } from "../deploy-event.js";
import { storableDate } from "../../shared/time.js";
import { objectOf } from "../incident-fields.js";
import { netlifyDeployStatus } from "./classify.js";
import { repositoryFromCommitUrl } from "../repository-url.js";

type Obj = Record<string, unknown>;
const url = (v: unknown) => bounded(v, LIMITS.urlBytes);

/**
 * The deploy row of a deploy event, when the deploy came from Git: `commit_ref` a full SHA and
 * `commit_url` a GitHub or GitLab commit (commit-repository.ts); else none. The environment is Netlify's
 * deploy context (`production`, `deploy-preview`, `branch-deploy`, or a branch context); the service is
 * the site id, which a site's rename does not change.
 */
function deploymentRow(event: string, deploy: Obj): DeploymentRow | undefined {
  const status = netlifyDeployStatus(event);
  const deployId = bounded(deploy.id, 200);
  const repository = repositoryFromCommitUrl(deploy.commit_url);
  const sha = fullSha(deploy.commit_ref);
  const environment = boundedName(deploy.context);
  if (!status || !deployId || !repository || !sha || !environment) return undefined;
  const updatedAt = storableDate(deploy.updated_at);
  return {
    source: "netlify",
    deployId,
    repository,
    environment,
    status,
    sha,
    ref: boundedName(deploy.branch),
    url: url(deploy.deploy_ssl_url) ?? url(deploy.deploy_url),
    service: boundedName(deploy.site_id) ?? boundedName(deploy.name),
    startedAt: storableDate(deploy.created_at),
    finishedAt:
      status === "succeeded"
        ? (storableDate(deploy.published_at) ?? updatedAt)
        : status === "failed"
          ? updatedAt
          : null,
  };
}

/**
 * A Netlify deploy notification: the body is the deploy, `X-Netlify-Event` (the type) says what
 * happened. Building, succeeded (`deploy_created`) and failed deploys of Git commits make deploy rows;
 * locks, unlocks and the rest are stored with their keys only.
 */
export function normalizeNetlify(d: Delivery): NormalizedEvent {
  const deploy = objectOf(JSON.parse(d.body));
  const event = d.type.slice("netlify.".length);
  const deployment = deploymentRow(event, deploy);
  const deployId = bounded(deploy.id, 200);
  const subject = deployId ? deployKey("netlify", deployId) : null;
  // The time of this change: Netlify updates `updated_at` with each state.
  const at = storableDate(deploy.updated_at) ?? storableDate(deploy.created_at);
  return deployEvent(d, { subject, occurredAt: at ?? new Date(d.receivedAt), payload: deploy, deployment });
}
