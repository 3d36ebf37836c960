import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AttachmentNode, HistoryNode, IssueNode } from "../../src/platforms/linear/history/query.js";

/**
 * A loopback Linear GraphQL API for the history import's queries, told apart by operation name:
 * `SwitchyardHistoryIssues` (Relay pagination over the seeded issues, most recently updated first,
 * filtered by team key and updatedAt, with each issue's history and attachments as nested
 * connections) and the follow-ups `SwitchyardHistoryIssueHistory` / `…IssueAttachments`. Cursors
 * are node ids, as Linear's are. Fails the way Linear does: RATELIMITED as HTTP 400 with the code
 * and the budgets' reset headers (epoch ms), an internal error as 500. (The outbound sender's fake
 * is test/helpers/fake-linear.ts.)
 */
export type SeedIssue = Omit<IssueNode, "history" | "attachments"> & {
  history: HistoryNode[];
  attachments: AttachmentNode[];
};

export interface FakeLinearHistory {
  apiUrl: string;
  apiKey: string;
  organizationId: string;
  /** The workspace's issues; change them freely between reads. */
  issues: SeedIssue[];
  /** Every operation, by name, with its variables and the status answered. */
  calls: Array<{ operation: string; variables: Record<string, any>; status: number }>;
  /** The next request is answered RATELIMITED, its budget reset `resetInMs` ahead. */
  rateLimitOnce(resetInMs: number, budget?: "requests" | "complexity"): void;
  /** The issues page starting after `cursor` is answered 500 the next `times` times it is asked for. */
  failPage(cursor: string | null, times?: number): void;
  /** No rate limit or failure pending, no calls recorded. */
  reset(): void;
  close(): Promise<void>;
}

const ms = (iso: string) => Date.parse(iso);

/** Relay pagination of `items` (cursor = id): the slice after `after`, `first` long. */
function connection<T extends { id: string }>(items: T[], first: number, after: string | null | undefined) {
  let start = 0;
  if (after) {
    const at = items.findIndex((n) => n.id === after);
    if (at < 0) return null;
    start = at + 1;
  }
  const nodes = items.slice(start, start + first);
  return {
    nodes,
    pageInfo: { hasNextPage: start + first < items.length, endCursor: nodes.at(-1)?.id ?? null },
  };
}

const graphqlError = (message: string, type = "invalid input") => ({ errors: [{ message, extensions: { type } }] });

export async function startFakeLinearHistory(
  issues: SeedIssue[] = [],
  apiKey = "lin_api_history_key",
  organizationId = "33f80420-6a35-4797-a810-c87c3845eb54",
): Promise<FakeLinearHistory> {
  const calls: FakeLinearHistory["calls"] = [];
  let rateLimit: { at: number; budget: "requests" | "complexity" } | null = null;
  const failing = new Map<string, number>();
  const fake = { issues } as { issues: SeedIssue[] };

  // Linear's own order for history: newest first (the import must not rely on it).
  const historyOf = (i: SeedIssue) => [...i.history].sort((a, b) => ms(b.createdAt) - ms(a.createdAt));

  function page(v: Record<string, any>): { status?: number; body: unknown } {
    const f = v.filter ?? {};
    const key: string | undefined = f.team?.key?.eq;
    const gte = f.updatedAt?.gte ? ms(f.updatedAt.gte) : -Infinity;
    const matching = fake.issues
      .filter((i) => (key === undefined || i.team.key === key) && ms(i.updatedAt) >= gte)
      // orderBy: updatedAt is newest first.
      .sort((a, b) => ms(b.updatedAt) - ms(a.updatedAt) || (a.id < b.id ? 1 : -1));
    const conn = connection(matching, v.first, v.after);
    if (!conn) return { body: graphqlError("Invalid cursor") };
    const nodes = conn.nodes.map((i) => ({
      ...i,
      history: connection(historyOf(i), v.historyFirst, null),
      attachments: connection(i.attachments, v.attachmentsFirst, null),
    }));
    return { body: { data: { organization: { id: organizationId }, issues: { nodes, pageInfo: conn.pageInfo } } } };
  }

  function nested(field: "history" | "attachments", v: Record<string, any>) {
    const issue = fake.issues.find((i) => i.id === v.id);
    if (!issue) return { body: graphqlError("Entity not found") };
    const conn = connection<{ id: string }>(
      field === "history" ? historyOf(issue) : issue.attachments,
      v.first,
      v.after,
    );
    if (!conn) return { body: graphqlError("Invalid cursor") };
    return { body: { data: { issue: { [field]: conn } } } };
  }

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const { query, variables = {} } = JSON.parse(raw) as { query: string; variables?: Record<string, any> };
      const operation = /^\s*query\s+(\w+)/.exec(query)?.[1] ?? "?";
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        calls.push({ operation, variables, status });
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== apiKey)
        return send(400, graphqlError("Authentication required", "authentication error"));
      if (rateLimit) {
        const { at, budget } = rateLimit;
        rateLimit = null;
        return send(
          400,
          { errors: [{ message: "Rate limit exceeded", extensions: { code: "RATELIMITED" } }] },
          { [`x-ratelimit-${budget}-reset`]: String(at), [`x-ratelimit-${budget}-remaining`]: "0" },
        );
      }
      if (operation === "SwitchyardHistoryIssues") {
        const cursor = String(variables.after ?? null);
        const left = failing.get(cursor) ?? 0;
        if (left > 0) {
          failing.set(cursor, left - 1);
          return send(500, graphqlError("Internal server error", "internal error"));
        }
        const { status, body } = page(variables);
        return send(status ?? 200, body);
      }
      if (operation === "SwitchyardHistoryIssueHistory") return send(200, nested("history", variables).body);
      if (operation === "SwitchyardHistoryIssueAttachments") return send(200, nested("attachments", variables).body);
      send(200, graphqlError(`unknown operation ${operation}`, "graphql error"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/graphql`,
    apiKey,
    organizationId,
    get issues() {
      return fake.issues;
    },
    set issues(list) {
      fake.issues = list;
    },
    calls,
    rateLimitOnce: (resetInMs, budget = "requests") => (rateLimit = { at: Date.now() + resetInMs, budget }),
    failPage: (cursor, times = 1) => failing.set(String(cursor), times),
    reset() {
      rateLimit = null;
      failing.clear();
      calls.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
