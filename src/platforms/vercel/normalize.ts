import { bounded, githubRepository, LIMITS, boundedName } from "../../shared/bounds.js";
import type { DeploymentRow, Delivery, NormalizedEvent } from "../../shared/event.js";
import { deployKey, fullSha } from "../../shared/keys.js";
import { deployEvent } from "../deploy-event.js";
import { storableDate } from "../../shared/time.js";
import { objectOf } from "../incident-fields.js";
import { vercelDeployStatus } from "./classify.js";

type Obj = Record<string, unknown>;

/** `payload.target`: `production`, `staging`, or null for a preview; a promotion is always to production. */
function environmentOf(type: string, payload: Obj): string {
  if (type === "deployment.promoted") return "production";
  return boundedName(payload.target) ?? "preview";
}

/**
 * The deploy row of a deployment event, when its Git metadata names a GitHub repository and a full SHA
 * (`meta.githubCommitOrg`, `githubCommitRepo`, `githubCommitSha`); else none (a CLI deploy, GitLab or
 * Bitbucket metadata, which Vercel does not document). The service is the project id: the name in the
 * deployment URL changes when the project is renamed, the id never does.
 */
function deploymentRow(type: string, payload: Obj, at: Date | null): DeploymentRow | undefined {
  const status = vercelDeployStatus(type);
  const deployment = objectOf(payload.deployment);
  const meta = objectOf(deployment.meta);
  const deployId = bounded(deployment.id, 200);
  const org = meta.githubCommitOrg;
  const repo = meta.githubCommitRepo;
  const repository = typeof org === "string" && typeof repo === "string" ? githubRepository(`${org}/${repo}`) : null;
  const sha = fullSha(meta.githubCommitSha);
  if (!status || !deployId || !repository || !sha) return undefined;
  const host = boundedName(deployment.url);
  return {
    source: "vercel",
    deployId,
    repository: repository.toLowerCase(),
    environment: environmentOf(type, payload),
    status,
    sha,
    ref: boundedName(meta.githubCommitRef),
    url: host ? bounded(`https://${host}`, LIMITS.urlBytes) : null,
    service: boundedName(objectOf(payload.project).id) ?? boundedName(deployment.name),
    startedAt: status === "started" ? at : null,
    finishedAt: status === "started" ? null : at,
  };
}

/**
 * A Vercel webhook `{type, id, createdAt, region, payload}`. Deployment events of Git deploys make deploy
 * rows; other deployment events, projects, domains and the rest are stored with their keys only.
 */
export function normalizeVercel(d: Delivery): NormalizedEvent {
  const envelope = objectOf(JSON.parse(d.body));
  const payload = objectOf(envelope.payload);
  const type = d.type.slice("vercel.".length);
  // `createdAt` is epoch milliseconds (Vercel's Date type).
  const at = storableDate(envelope.createdAt);
  const deployment = deploymentRow(type, payload, at);
  const deploymentId = vercelDeployStatus(type) ? bounded(objectOf(payload.deployment).id, 200) : null;
  const subject = deploymentId ? deployKey("vercel", deploymentId) : null;
  return deployEvent(d, { subject, occurredAt: at ?? new Date(d.receivedAt), payload: envelope, deployment });
}
