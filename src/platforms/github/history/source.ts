import type { Octokit } from "@octokit/rest";
import type { HistoryPage, HistoryResource, HistorySource, ImportedDelivery } from "../../../import/history.js";
import {
  deploymentDelivery,
  deploymentStatusDelivery,
  issueDelivery,
  pullRequestDelivery,
  pushDelivery,
  reviewDelivery,
} from "./convert.js";

type Obj = Record<string, any>;

/** Requests for one page's pull requests (their commits and reviews) or deployments in flight at once. */
const FAN_OUT = 8;

/** The `rel="next"` URL of a Link header (GitHub's pagination), or null on the last page. */
export function nextLink(link: string | undefined): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (m) return m[1]!;
  }
  return null;
}

/** `items` mapped `FAN_OUT` at a time, in order. */
async function mapLimited<T, R>(items: T[], fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(FAN_OUT, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(lanes);
  return out;
}

export interface GithubHistoryOptions {
  octokit: Octokit;
  /** `owner/name`. */
  repository: string;
  /** Changes older than this are not read. */
  since: Date;
  /** The API's base URL: a saved cursor (a next-page URL) is followed only if it starts there. */
  baseUrl: string;
  /** Items per page (GitHub's maximum, 100, by default). */
  perPage?: number;
}

/**
 * A repository's history as GitHub's webhooks would have told it (docs/import.md): pull requests with
 * their commits and reviews, the default branch's commits, deployments with their statuses, issues.
 * A cursor is the next page's URL from GitHub's Link header.
 */
export function githubHistory(o: GithubHistoryOptions): HistorySource {
  const [owner, repo] = o.repository.split("/") as [string, string];
  const PER_PAGE = o.perPage ?? 100;
  const base = o.baseUrl.replace(/\/+$/, "");
  const since = o.since.getTime();
  const sinceIso = o.since.toISOString();
  const after = (iso: unknown) => typeof iso === "string" && Date.parse(iso) >= since;
  let repository: Promise<Obj> | undefined;
  // The webhook's `repository` object; read once per import.
  const repositoryObject = () =>
    (repository ??= o.octokit.rest.repos.get({ owner, repo }).then(
      (r) => r.data as Obj,
      (err) => {
        repository = undefined;
        throw err;
      },
    ));

  /** The first page (`route` with `params`), or the saved next-page URL. */
  async function get(cursor: string | null, route: string, params: Obj): Promise<{ data: Obj[]; next: string | null }> {
    if (cursor !== null && !cursor.startsWith(`${base}/`)) {
      // Never send the credentials elsewhere, whatever the table holds.
      throw new Error(`import cursor is not a ${base} URL`);
    }
    const res =
      cursor === null
        ? await o.octokit.request(route, { owner, repo, per_page: PER_PAGE, ...params })
        : await o.octokit.request({ method: "GET", url: cursor });
    return { data: res.data as Obj[], next: nextLink(res.headers.link) };
  }

  /** Every page of a list (a PR's commits or reviews, a deployment's statuses). */
  async function all(route: string, params: Obj): Promise<Obj[]> {
    return (await o.octokit.paginate(route, { owner, repo, per_page: PER_PAGE, ...params })) as Obj[];
  }

  const pullRequests: HistoryResource = {
    name: "pull_requests",
    async page(cursor): Promise<HistoryPage> {
      const r = await repositoryObject();
      const { data, next } = await get(cursor, "GET /repos/{owner}/{repo}/pulls", {
        state: "all",
        sort: "updated",
        direction: "desc",
      });
      const prs = data.filter((pr) => after(pr.updated_at));
      const each = await mapLimited(prs, async (pr) => {
        const [commits, reviews] = await Promise.all([
          all("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", { pull_number: pr.number }),
          all("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", { pull_number: pr.number }),
        ]);
        // A branch of this repository had its commits pushed here first (a webhook told that push before the
        // PR's events); a fork's branch did not, and its name may be any other PR's branch here.
        const sameRepository =
          typeof pr.head?.repo?.full_name === "string" &&
          pr.head.repo.full_name.toLowerCase() === String(r.full_name).toLowerCase();
        const out: Array<ImportedDelivery | null> = [
          sameRepository && pr.head?.ref ? pushDelivery(r, pr.head.ref, commits) : null,
          pullRequestDelivery(r, pr),
          ...reviews.map((review) => reviewDelivery(r, pr, review)),
        ];
        return out.filter((d): d is ImportedDelivery => d !== null);
      });
      // Sorted by updated_at descending: past `since`, every later page is older still.
      return { deliveries: each.flat(), items: prs.length, next: prs.length < data.length ? null : next };
    },
  };

  const defaultBranchCommits: HistoryResource = {
    name: "commits",
    async page(cursor): Promise<HistoryPage> {
      const r = await repositoryObject();
      const branch = String(r.default_branch);
      const { data, next } = await get(cursor, "GET /repos/{owner}/{repo}/commits", { sha: branch, since: sinceIso });
      // One push per commit, oldest first: the same commit makes the same delivery whatever the paging.
      const deliveries = [...data]
        .reverse()
        .map((c) => pushDelivery(r, branch, [c]))
        .filter((d): d is ImportedDelivery => d !== null);
      return { deliveries, items: data.length, next };
    },
  };

  const deployments: HistoryResource = {
    name: "deployments",
    async page(cursor): Promise<HistoryPage> {
      const r = await repositoryObject();
      const { data, next } = await get(cursor, "GET /repos/{owner}/{repo}/deployments", {});
      const recent = data.filter((d) => after(d.created_at));
      const each = await mapLimited(recent, async (deployment) => {
        const statuses = await all("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
          deployment_id: deployment.id,
        });
        // Statuses are listed newest first; delivered in the order they happened.
        return [
          deploymentDelivery(r, deployment),
          ...[...statuses].reverse().map((s) => deploymentStatusDelivery(r, deployment, s)),
        ];
      });
      // Newest first: past `since`, every later page is older still.
      return { deliveries: each.flat(), items: recent.length, next: recent.length < data.length ? null : next };
    },
  };

  const issues: HistoryResource = {
    name: "issues",
    async page(cursor): Promise<HistoryPage> {
      const r = await repositoryObject();
      const { data, next } = await get(cursor, "GET /repos/{owner}/{repo}/issues", {
        state: "all",
        since: sinceIso,
        sort: "updated",
        direction: "desc",
      });
      const deliveries = data.map((issue) => issueDelivery(r, issue)).filter((d): d is ImportedDelivery => d !== null);
      return { deliveries, items: deliveries.length, next };
    },
  };

  return {
    platform: "github",
    scope: o.repository.toLowerCase(),
    resources: [defaultBranchCommits, pullRequests, deployments, issues],
  };
}
