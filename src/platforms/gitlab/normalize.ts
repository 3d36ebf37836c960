import { forgeEvent, type EventPart } from "../event-part.js";
import type { Delivery, DeployStatus, GitlabRow, NormalizedEvent } from "../../shared/event.js";
import { commitKeyIfSha, deployKey, fullSha, gitlabRepository, issueKey, prKey, repoKey } from "../../shared/keys.js";
import { bounded, gitlabRepositoryId, LIMITS, text } from "../../shared/bounds.js";
import { Unprocessable } from "../../shared/errors.js";
import { storableDate } from "../../shared/time.js";
import { gitlabKind } from "./classify.js";

// Payloads were verified at the edge and follow GitLab's documented shapes (webhook_events.md); read loosely.
type Obj = Record<string, any>;

/** GitLab's deployment statuses (running, success, failed, canceled) as deploy rows have them. */
const DEPLOY_STATUS: Record<string, DeployStatus> = {
  created: "queued",
  blocked: "queued",
  running: "started",
  success: "succeeded",
  failed: "failed",
  canceled: "cancelled",
  skipped: "cancelled",
};

/** A deployment's commit: only a full SHA at the end of its `commit_url` (`…/-/commit/<sha>`). */
const COMMIT_URL_SHA = /\/commit\/([0-9a-f]{40})$/i;

/** A positive integer iid, else null. */
const iidOf = (v: unknown) =>
  Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= 2_147_483_647 ? (v as number) : null;

/** The repository id `gitlab:<path_with_namespace>` of the event's project, within bounds, else null. */
export function gitlabRepositoryOf(p: Obj): string | null {
  const path = text(p.project?.path_with_namespace);
  return path ? gitlabRepositoryId(gitlabRepository(path)) : null;
}

/** The SHA of a deployment's `commit_url`, lower-case, if it ends in a full one. */
export const deploymentSha = (p: Obj): string | null =>
  COMMIT_URL_SHA.exec(text(p.commit_url) ?? "")?.[1]?.toLowerCase() ?? null;

type Part = EventPart<GitlabRow>;

function mergeRequestPart(repo: string, p: Obj): Part {
  const mr: Obj = p.object_attributes ?? {};
  const iid = iidOf(mr.iid);
  const merged = mr.state === "merged";
  const head = text(mr.last_commit?.id);
  return {
    subject: iid ? prKey(repo, iid) : null,
    keys: [commitKeyIfSha(repo, head), commitKeyIfSha(repo, mr.merge_commit_sha)],
    row: {
      iid,
      sha: (merged ? fullSha(mr.merge_commit_sha) : null) ?? fullSha(head),
      ref: bounded(mr.source_branch, LIMITS.nameBytes),
      state: text(mr.state),
      merged,
      title: text(mr.title),
      url: text(mr.url),
    },
    when: [mr.updated_at],
  };
}

function deploymentPart(repo: string, p: Obj): Part {
  const id = p.deployment_id;
  if (!iidOf(id)) throw new Unprocessable("payload.deployment_id is not GitLab's integer id");
  const sha = deploymentSha(p);
  const status: DeployStatus = DEPLOY_STATUS[p.status] ?? "queued";
  const at = storableDate(p.status_changed_at);
  const terminal = status === "succeeded" || status === "failed" || status === "cancelled";
  const url = bounded(p.deployable_url || p.environment_external_url, LIMITS.urlBytes);
  return {
    subject: deployKey("gitlab", id),
    keys: [commitKeyIfSha(repo, sha)],
    row: { sha, state: text(p.status), title: text(p.commit_title), url, ref: bounded(p.ref, LIMITS.nameBytes) },
    when: [p.status_changed_at],
    // A deploy without a full SHA is kept as an event with its keys, without a deploy row (docs/senders/gitlab.md).
    deployment: sha
      ? {
          source: "gitlab",
          deployId: String(id),
          repository: repo,
          environment: bounded(p.environment, LIMITS.nameBytes) ?? "unknown",
          status,
          sha,
          ref: bounded(p.ref, LIMITS.nameBytes),
          url,
          service: null,
          startedAt: status === "started" ? at : null,
          finishedAt: terminal ? at : null,
        }
      : undefined,
  };
}

function eventPart(kind: string, repo: string, p: Obj): Part {
  const oa: Obj = p.object_attributes ?? {};
  switch (kind) {
    case "merge_request":
      return mergeRequestPart(repo, p);
    case "push":
    case "tag_push": {
      const commits: Obj[] = Array.isArray(p.commits) ? p.commits : [];
      return {
        subject: commitKeyIfSha(repo, p.after),
        keys: [commitKeyIfSha(repo, p.before), ...commits.map((c) => commitKeyIfSha(repo, c?.id))],
        row: { sha: fullSha(p.after), ref: bounded(p.ref, LIMITS.nameBytes) },
        when: [commits.at(-1)?.timestamp],
      };
    }
    case "deployment":
      return deploymentPart(repo, p);
    case "pipeline": {
      const mrIid = iidOf(p.merge_request?.iid);
      return {
        subject: commitKeyIfSha(repo, oa.sha),
        keys: [mrIid ? prKey(repo, mrIid) : null],
        row: {
          iid: mrIid,
          sha: fullSha(oa.sha),
          ref: bounded(oa.ref, LIMITS.nameBytes),
          state: text(oa.status),
          title: text(oa.name),
          url: text(oa.url),
        },
        when: [oa.finished_at, oa.created_at],
      };
    }
    case "build":
      return {
        subject: commitKeyIfSha(repo, p.sha),
        row: {
          sha: fullSha(p.sha),
          ref: bounded(p.ref, LIMITS.nameBytes),
          state: text(p.build_status),
          title: text(p.build_name),
        },
        when: [p.build_finished_at, p.build_started_at, p.build_created_at],
      };
    case "issue":
    case "work_item": {
      const iid = iidOf(oa.iid);
      return {
        subject: iid ? issueKey(repo, iid) : null,
        row: { iid, state: text(oa.state), title: text(oa.title), url: text(oa.url) },
        when: [oa.updated_at],
      };
    }
    case "note": {
      const mrIid = iidOf(p.merge_request?.iid);
      const issueIid = iidOf(p.issue?.iid);
      return {
        subject: mrIid ? prKey(repo, mrIid) : issueIid ? issueKey(repo, issueIid) : commitKeyIfSha(repo, p.commit?.id),
        row: { iid: mrIid ?? issueIid, title: text(p.merge_request?.title ?? p.issue?.title), url: text(oa.url) },
        when: [oa.updated_at, oa.created_at],
      };
    }
    default:
      return {};
  }
}

/** A GitLab delivery → the unified event, its `gitlab_events` row and, for a deployment with a full SHA, a deploy row. */
export function normalizeGitlab(d: Delivery): NormalizedEvent {
  let p: Obj;
  try {
    p = JSON.parse(d.body) as Obj;
  } catch {
    throw new Unprocessable("body is not JSON");
  }
  if (!p || typeof p !== "object" || Array.isArray(p)) throw new Unprocessable("body is not a JSON object");
  const kind = gitlabKind(d.headers["x-gitlab-event"] ?? "Unknown Hook", p);
  const repo = gitlabRepositoryOf(p);
  const part: Part = repo ? eventPart(kind, repo, p) : {};
  const rk = repo ? repoKey(repo) : null;
  const row: GitlabRow = {
    name: kind,
    action: bounded(p.object_attributes?.action, LIMITS.nameBytes),
    repository: repo,
    iid: null,
    sha: null,
    ref: null,
    state: null,
    merged: null,
    title: null,
    url: null,
    sender: text(p.user?.username) ?? text(p.user_username),
  };
  return forgeEvent(d, p, { kind: "gitlab", row, part, repoKey: rk });
}
