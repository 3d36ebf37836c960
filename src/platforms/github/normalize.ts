import { forgeEvent, type EventPart } from "../event-part.js";
import type { Delivery, DeployStatus, GithubRow, NormalizedEvent } from "../../shared/event.js";
import { commitKeyIfSha, deployKey, issueKey, prKey, repoKey } from "../../shared/keys.js";
import { bounded, githubRepository, LIMITS, text } from "../../shared/bounds.js";
import { objectAt } from "../../shared/errors.js";
import { storableDate } from "../../shared/time.js";
import { parseGithubPayload } from "./payload.js";
import { readPullRequest } from "./pull-request.js";

// Payloads were verified at the edge and follow GitHub's documented shapes; read them loosely.
type Obj = Record<string, any>;

const DEPLOY_STATUS: Record<string, DeployStatus> = {
  success: "succeeded",
  failure: "failed",
  error: "failed",
  in_progress: "started",
  queued: "queued",
  pending: "queued",
  inactive: "inactive",
};

type Part = EventPart<GithubRow>;

function pullRequestPart(repo: string, p: Obj): Part {
  const pr = readPullRequest(p);
  return {
    subject: prKey(repo, pr.number),
    keys: [
      commitKeyIfSha(repo, pr.headSha),
      commitKeyIfSha(repo, pr.mergeCommitSha),
      commitKeyIfSha(repo, p.review?.commit_id),
    ],
    row: {
      number: pr.number,
      sha: pr.merged ? pr.mergeCommitSha : pr.headSha,
      ref: pr.headRef,
      baseRef: pr.baseRef,
      headRef: pr.headRef,
      state: p.review?.state ?? pr.state,
      merged: pr.merged,
      title: pr.title,
      url: p.review?.html_url ?? p.comment?.html_url ?? pr.url,
    },
    when: [p.review?.submitted_at, p.comment?.updated_at, p.action === "closed" ? pr.closedAt : null, pr.updatedAt],
  };
}

function deploymentPart(repo: string, p: Obj, event: string): Part {
  const dep = objectAt(p, "deployment");
  const ds: Obj | undefined = p.deployment_status;
  const status: DeployStatus = ds ? (DEPLOY_STATUS[ds.state] ?? "queued") : "queued";
  const terminal = status === "succeeded" || status === "failed" || status === "inactive";
  return {
    subject: deployKey("github", dep.id),
    keys: [commitKeyIfSha(repo, dep.sha)],
    row: { sha: dep.sha, ref: dep.ref, state: ds?.state ?? null, url: ds?.target_url || dep.url },
    when: [ds?.updated_at, ds?.created_at, dep.created_at],
    deployment: {
      source: "github",
      deployId: bounded(String(dep.id), LIMITS.nameBytes) ?? "unknown",
      repository: repo.toLowerCase(),
      environment: bounded(ds?.environment ?? dep.environment, LIMITS.nameBytes) ?? "unknown",
      status,
      sha: text(dep.sha),
      ref: text(dep.ref),
      url: bounded(ds?.environment_url || ds?.target_url, LIMITS.urlBytes),
      service: event === "deployment" ? bounded(dep.task, LIMITS.nameBytes) : null,
      startedAt: storableDate(dep.created_at),
      finishedAt: terminal ? storableDate(ds?.updated_at ?? ds?.created_at) : null,
    },
  };
}

function eventPart(event: string, repo: string, p: Obj): Part {
  switch (event) {
    case "pull_request":
    case "pull_request_review":
    case "pull_request_review_comment":
    case "pull_request_review_thread":
      return pullRequestPart(repo, p);
    case "issues": {
      const issue = objectAt(p, "issue");
      return {
        subject: issueKey(repo, issue.number),
        row: { number: issue.number, state: issue.state, title: issue.title, url: issue.html_url },
        when: [issue.updated_at],
      };
    }
    case "issue_comment": {
      const issue = objectAt(p, "issue");
      const n = issue.number;
      return {
        subject: issue.pull_request ? prKey(repo, n) : issueKey(repo, n),
        row: { number: n, state: issue.state, title: issue.title, url: p.comment?.html_url },
        when: [p.comment?.updated_at, p.comment?.created_at],
      };
    }
    case "push":
      return {
        subject: commitKeyIfSha(repo, p.after),
        keys: [commitKeyIfSha(repo, p.before), ...(p.commits ?? []).map((c: Obj) => commitKeyIfSha(repo, c.id))],
        row: { sha: p.after, ref: p.ref, url: p.compare },
        when: [p.head_commit?.timestamp],
      };
    case "create":
    case "delete":
      return { row: { ref: p.ref, state: p.ref_type } };
    case "release": {
      const release = objectAt(p, "release");
      return {
        keys: [commitKeyIfSha(repo, release.target_commitish)],
        row: { ref: release.tag_name, title: release.name, url: release.html_url, state: p.action },
        when: [release.published_at, release.created_at],
      };
    }
    case "deployment":
    case "deployment_status":
      return deploymentPart(repo, p, event);
    case "workflow_run":
    case "workflow_job":
    case "check_suite":
    case "check_run": {
      const run = objectAt(p, event);
      const sha = run.head_sha;
      const prs: Obj[] = run.pull_requests ?? p.check_suite?.pull_requests ?? [];
      return {
        subject: commitKeyIfSha(repo, sha),
        keys: prs.map((pr) => prKey(repo, pr.number)),
        row: {
          sha,
          ref: run.head_branch ?? p.check_suite?.head_branch,
          state: run.conclusion ?? run.status,
          title: run.name ?? run.app?.name,
          url: run.html_url,
        },
        when: [run.completed_at, run.updated_at, run.started_at, run.created_at],
      };
    }
    default:
      // Unknown or unmodelled events: still reference what they obviously carry.
      return {
        subject: p.pull_request?.number
          ? prKey(repo, p.pull_request.number)
          : p.issue?.number
            ? issueKey(repo, p.issue.number)
            : null,
      };
  }
}

export function normalizeGithub(d: Delivery): NormalizedEvent {
  const event = d.headers["x-github-event"] ?? "unknown";
  const p: Obj = parseGithubPayload(d.contentType, d.body);
  const repo = githubRepository(p.repository?.full_name);
  const part: Part = repo ? eventPart(event, repo, p) : {};
  const rk = repo ? repoKey(repo) : null;
  const row: GithubRow = {
    name: event,
    action: typeof p.action === "string" ? p.action : null,
    repository: repo?.toLowerCase() ?? null,
    number: null,
    sha: null,
    ref: null,
    baseRef: null,
    headRef: null,
    state: null,
    merged: null,
    title: null,
    url: null,
    sender: p.sender?.login ?? null,
  };
  return forgeEvent(d, p, { kind: "github", row, part, repoKey: rk });
}
