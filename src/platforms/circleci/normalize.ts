import { bounded, LIMITS, text } from "../../shared/bounds.js";
import type { Delivery, DeploymentRow, DeployStatus, NormalizedEvent } from "../../shared/event.js";
import { deployKey, fullSha } from "../../shared/keys.js";
import { deployEvent } from "../deploy-event.js";
import { firstDate, storableDate } from "../../shared/time.js";
import { objectOf } from "../incident-fields.js";
import { repositoryFromUrl } from "../repository-url.js";
import { environmentOfType } from "./classify.js";

type Obj = Record<string, unknown>;

/**
 * A completed workflow's status as a deploy status. `unauthorized` (a restricted context refused the
 * actor) ran nothing, so it is cancelled, not a failure of production; any other status makes no row.
 */
const STATUS: Record<string, DeployStatus> = {
  success: "succeeded",
  failed: "failed",
  error: "failed",
  canceled: "cancelled",
  unauthorized: "cancelled",
};

/** Where the pipeline's commit came from: `vcs` (GitHub OAuth, Bitbucket Cloud), else `trigger_parameters`. */
export function pipelineSource(pipeline: Obj): { repository: string | null; sha: string | null; ref: string | null } {
  const vcs = objectOf(pipeline.vcs);
  const params = objectOf(pipeline.trigger_parameters);
  const git = objectOf(params.git);
  const gitlab = objectOf(params.gitlab);
  const isGitlab = Object.keys(gitlab).length > 0 || objectOf(params.circleci).trigger_type === "gitlab";
  // The repository building the commit: the target, not a fork's origin (they differ for forked PRs only).
  const repository =
    repositoryFromUrl(vcs.target_repository_url) ??
    repositoryFromUrl(vcs.origin_repository_url) ??
    repositoryFromUrl(git.checkout_url, isGitlab) ??
    repositoryFromUrl(git.repo_url, isGitlab) ??
    repositoryFromUrl(gitlab.web_url, true);
  const sha = [vcs.revision, git.checkout_sha, gitlab.checkout_sha].map(fullSha).find((s) => s !== null) ?? null;
  const ref = bounded(text(vcs.branch) ?? text(vcs.tag) ?? text(git.branch) ?? text(git.tag) ?? null, LIMITS.nameBytes);
  return { repository, sha, ref: ref || null };
}

/**
 * A CircleCI webhook: `workflow-completed` or `job-completed` with the project, pipeline and workflow.
 * A deploy workflow (its environment in the type, circleci/classify.ts) with a repository and full SHA
 * makes a deployment row: its id the workflow id (a rerun is a new workflow), its service the project slug.
 */
export function normalizeCircleci(d: Delivery): NormalizedEvent {
  const p = objectOf(JSON.parse(d.body));
  const workflow = objectOf(p.workflow);
  const project = objectOf(p.project);
  const source = pipelineSource(objectOf(p.pipeline));
  const environment = environmentOfType(d.type);
  const status =
    typeof workflow.status === "string" && Object.hasOwn(STATUS, workflow.status) ? STATUS[workflow.status]! : null;
  const workflowId = bounded(workflow.id, LIMITS.nameBytes);
  const deployment: DeploymentRow | undefined =
    environment && status && workflowId && source.repository && source.sha
      ? {
          source: "circleci",
          deployId: workflowId,
          repository: source.repository,
          environment,
          status,
          sha: source.sha,
          ref: source.ref,
          url: bounded(workflow.url, LIMITS.urlBytes),
          service: bounded(project.slug, LIMITS.nameBytes),
          startedAt: storableDate(workflow.created_at),
          finishedAt: storableDate(workflow.stopped_at),
        }
      : undefined;
  const subject = deployment ? deployKey("circleci", deployment.deployId) : null;
  return deployEvent(d, {
    subject,
    occurredAt: firstDate(new Date(d.receivedAt), objectOf(p.job).stopped_at, workflow.stopped_at, p.happened_at),
    payload: p,
    deployment,
    repository: source.repository,
    sha: source.sha,
  });
}
