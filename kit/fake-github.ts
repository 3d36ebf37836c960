/**
 * A loopback GitHub REST API (issue 17) serving one repository's history from a state object
 * (kit/github-history.ts): GitHub's Link-header pagination (per_page, page), x-ratelimit-* headers,
 * and faults to inject: the primary rate limit (403, x-ratelimit-remaining 0, reset a second ahead),
 * the secondary one (429, retry-after 1 s), each refusing every request until it lifts, as GitHub's do
 * (a client that does not wait is refused again); a 500, or a lasting 422 (an import attempt that fails).
 * It also takes `repository_dispatch` and `workflow_dispatch` requests to any repository (the
 * github-dispatch sender), recording each and answering 204, with the same faults and a 404.
 * Used by test/e2e/import-github.test.ts, test/e2e/outbound-github-dispatch.test.ts and bench/import.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { GithubRestState, Obj } from "./github-history-types.js";

export type FaultKind = "primary" | "secondary" | "error" | "unprocessable" | "not-found";

export interface Fault {
  kind: FaultKind;
  /** Requests whose path and query (`/repos/o/r/pulls?…page=3`) match are hit. */
  match: RegExp;
  /** How many matching requests it hits (then it is spent). */
  times: number;
}

/** A dispatch GitHub accepted. */
export interface Dispatched {
  /** `owner/name`. */
  repository: string;
  /** The workflow's file name or id, for a `workflow_dispatch`. */
  workflow: string | null;
  body: Obj;
  authorization: string | undefined;
}

export interface FakeGithub {
  url: string;
  state: GithubRestState;
  /** Every request served, in order: `<METHOD> <path and query> <status>`. */
  requests: string[];
  /** The dispatches accepted (204), in order. */
  dispatches: Dispatched[];
  faults: Fault[];
  /** Milliseconds each answer is held (0 by default). */
  latencyMs: number;
  close(): Promise<void>;
}

const PER_PAGE_MAX = 100;

/** A repository with no history: for the dispatch endpoints alone. */
export const emptyGithubState = (fullName = "acme/empty"): GithubRestState => ({
  repository: { id: 1, full_name: fullName, name: fullName.split("/")[1], default_branch: "main" },
  pulls: [],
  prCommits: new Map(),
  reviews: new Map(),
  commits: [],
  deployments: [],
  statuses: new Map(),
  issues: [],
});

export async function startFakeGithub(state: GithubRestState = emptyGithubState()): Promise<FakeGithub> {
  const fake: FakeGithub = {
    url: "",
    state,
    requests: [],
    dispatches: [],
    faults: [],
    latencyMs: 0,
    close: async () => undefined,
  };
  let remaining = 5000;
  const repoPath = `/repos/${state.repository.full_name}`;

  function send(res: ServerResponse, req: IncomingMessage, status: number, body: unknown, headers: Obj = {}) {
    fake.requests.push(`${req.method} ${req.url} ${status}`);
    const reset = Math.floor(Date.now() / 1000) + 3600;
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(Math.max(remaining, 0)),
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-used": String(5000 - remaining),
      "x-ratelimit-resource": "core",
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  /** One page of `items` with GitHub's Link header (next, last, prev, first). */
  function page(req: IncomingMessage, res: ServerResponse, url: URL, items: Obj[]) {
    const perPage = Math.min(Math.max(Number(url.searchParams.get("per_page") ?? 30) || 30, 1), PER_PAGE_MAX);
    const n = Math.max(Number(url.searchParams.get("page") ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (p: number, rel: string) => {
      const u = new URL(url);
      u.searchParams.set("page", String(p));
      u.searchParams.set("per_page", String(perPage));
      return `<${fake.url}${u.pathname}${u.search}>; rel="${rel}"`;
    };
    const links = [
      ...(n < last ? [link(n + 1, "next"), link(last, "last")] : []),
      ...(n > 1 ? [link(1, "first"), link(n - 1, "prev")] : []),
    ];
    send(res, req, 200, items.slice((n - 1) * perPage, n * perPage), links.length ? { link: links.join(", ") } : {});
  }

  /** A rate limit lasts until its reset, as GitHub's do: every request before it is refused the same way. */
  let limited: { kind: "primary" | "secondary"; until: number } | null = null;

  function fault(req: IncomingMessage, res: ServerResponse): boolean {
    const now = Date.now();
    if (limited && now >= limited.until) limited = null;
    const f = limited ? null : fake.faults.find((x) => x.times > 0 && x.match.test(req.url ?? ""));
    if (!limited && !f) return false;
    if (f) f.times -= 1;
    const kind = limited?.kind ?? f!.kind;
    const reset = limited ? Math.ceil(limited.until / 1000) : Math.floor(now / 1000) + 1;
    const resetSoon = String(reset);
    if (kind === "primary") limited ??= { kind, until: reset * 1000 };
    if (kind === "secondary") limited ??= { kind, until: now + 1000 };
    if (kind === "primary") {
      fake.requests.push(`${req.method} ${req.url} 403`);
      res.writeHead(403, {
        "content-type": "application/json",
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": resetSoon,
        "x-ratelimit-used": "5000",
      });
      res.end(
        JSON.stringify({
          message: "API rate limit exceeded for user ID 1.",
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        }),
      );
    } else if (kind === "secondary") {
      send(
        res,
        req,
        429,
        {
          message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        },
        { "retry-after": String(Math.max(1, Math.ceil((limited!.until - now) / 1000))) },
      );
    } else if (kind === "error") {
      send(res, req, 500, { message: "Server Error" });
    } else if (kind === "not-found") {
      send(res, req, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    } else {
      send(res, req, 422, { message: "Validation Failed (injected)" });
    }
    return true;
  }

  const since = (url: URL) => {
    const s = url.searchParams.get("since");
    return s ? Date.parse(s) : -Infinity;
  };
  const desc = (k: string) => (a: Obj, b: Obj) => (a[k] < b[k] ? 1 : a[k] > b[k] ? -1 : b.number - a.number);

  const DISPATCH = /^\/repos\/([^/]+\/[^/]+)\/(?:actions\/workflows\/([^/]+)\/)?dispatches$/;

  /** `POST …/dispatches`: recorded and answered 204, as GitHub does (after any fault). */
  async function dispatch(req: IncomingMessage, res: ServerResponse, m: RegExpMatchArray) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (fault(req, res)) return;
    let body: Obj;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Obj;
    } catch {
      return send(res, req, 400, { message: "Problems parsing JSON" });
    }
    const workflow = m[2] ? decodeURIComponent(m[2]) : null;
    if (workflow ? typeof body.ref !== "string" : typeof body.event_type !== "string")
      return send(res, req, 422, { message: "Invalid request." });
    fake.dispatches.push({ repository: m[1]!, workflow, body, authorization: req.headers.authorization });
    fake.requests.push(`${req.method} ${req.url} 204`);
    res.writeHead(204).end();
  }

  function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://github.test");
    const path = url.pathname;
    const dispatched = req.method === "POST" ? path.match(DISPATCH) : null;
    if (dispatched) return void dispatch(req, res, dispatched);
    if (req.method !== "GET") return send(res, req, 404, { message: "Not Found" });
    if (fault(req, res)) return;
    remaining -= 1;
    if (path === repoPath) return send(res, req, 200, state.repository);
    if (!path.startsWith(`${repoPath}/`)) return send(res, req, 404, { message: "Not Found" });
    const rest = path.slice(repoPath.length + 1).split("/");
    if (rest[0] === "pulls" && rest.length === 1) {
      const sorted =
        url.searchParams.get("sort") === "updated"
          ? [...state.pulls].sort(desc("updated_at"))
          : [...state.pulls].sort(desc("created_at"));
      return page(req, res, url, sorted);
    }
    if (rest[0] === "pulls" && rest.length === 3) {
      const n = Number(rest[1]);
      const list =
        rest[2] === "commits" ? state.prCommits.get(n) : rest[2] === "reviews" ? state.reviews.get(n) : undefined;
      return list ? page(req, res, url, list) : send(res, req, 404, { message: "Not Found" });
    }
    if (rest[0] === "commits" && rest.length === 1) {
      const s = since(url);
      return page(
        req,
        res,
        url,
        state.commits.filter((c) => Date.parse(c.commit.committer.date) >= s),
      );
    }
    if (rest[0] === "deployments" && rest.length === 1) return page(req, res, url, state.deployments);
    if (rest[0] === "deployments" && rest[2] === "statuses") {
      const list = state.statuses.get(Number(rest[1]));
      return list ? page(req, res, url, list) : send(res, req, 404, { message: "Not Found" });
    }
    if (rest[0] === "issues" && rest.length === 1) {
      const s = since(url);
      const list = state.issues.filter((i) => Date.parse(i.updated_at) >= s);
      return page(
        req,
        res,
        url,
        list.sort(url.searchParams.get("sort") === "updated" ? desc("updated_at") : desc("created_at")),
      );
    }
    return send(res, req, 404, { message: "Not Found" });
  }

  const server = createServer((req, res) => {
    if (fake.latencyMs > 0) setTimeout(() => route(req, res), fake.latencyMs);
    else route(req, res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
