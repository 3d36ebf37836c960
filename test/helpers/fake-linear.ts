import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback Linear GraphQL API for the operations the Linear sender sends, told apart by their
 * operation name: the SDK's `createComment` and `updateIssue` mutations and the sender's own small
 * queries (`SwitchyardIssue`, `SwitchyardTeamStates`, `SwitchyardComment`). Answers the minimal
 * fields those read, and errors the way Linear shapes them (`errors[].extensions`).
 */
export interface FakeIssue {
  id: string;
  identifier: string;
  teamId: string;
  stateId: string;
}

export interface FakeLinear {
  apiUrl: string;
  apiKey: string;
  issues: Map<string, FakeIssue>;
  states: Map<string, Array<{ id: string; name: string }>>;
  comments: Array<{ id: string; issueId: string; body: string }>;
  /** Every operation, by name, with its variables. */
  calls: Array<{ operation: string; variables: Record<string, any> }>;
  /** The next request is answered RATELIMITED, Linear's way: HTTP 400 with the code and reset headers. */
  rateLimitOnce(resetInMs: number): void;
  /** The next `createComment` is stored, then answered 500, or never answered: the answer is lost. */
  loseNextComment(how: "500" | "hang"): void;
  close(): Promise<void>;
}

const notFound = (what: string) => ({
  errors: [
    {
      message: "Entity not found",
      extensions: { type: "invalid input", userError: true, userPresentableMessage: `Could not find ${what}.` },
    },
  ],
});

export async function startFakeLinear(apiKey = "lin_api_test_key"): Promise<FakeLinear> {
  const issues = new Map<string, FakeIssue>();
  const states = new Map<string, Array<{ id: string; name: string }>>();
  const comments: FakeLinear["comments"] = [];
  const calls: FakeLinear["calls"] = [];
  let rateLimitReset: number | null = null;
  let lose: "500" | "hang" | null = null;

  const issueBy = (id: string) => issues.get(id) ?? [...issues.values()].find((i) => i.identifier === id);

  function run(operation: string, v: Record<string, any>): { status?: number; body?: unknown } {
    switch (operation) {
      case "SwitchyardIssue": {
        const issue = issueBy(v.id);
        if (!issue) return { body: notFound("Issue") };
        return {
          body: {
            data: {
              issue: {
                id: issue.id,
                identifier: issue.identifier,
                state: { id: issue.stateId },
                team: { id: issue.teamId },
              },
            },
          },
        };
      }
      case "SwitchyardTeamStates":
        return { body: { data: { team: { states: { nodes: states.get(v.id) ?? [] } } } } };
      case "SwitchyardComment": {
        const c = comments.find((x) => x.id === v.id);
        return c ? { body: { data: { comment: { id: c.id } } } } : { body: notFound("Comment") };
      }
      case "createComment": {
        const { id, issueId, body } = v.input;
        const issue = issueBy(issueId);
        if (!issue) return { body: notFound("Issue") };
        if (comments.some((c) => c.id === id))
          return { body: { errors: [{ message: "Entity already exists", extensions: { type: "invalid input" } }] } };
        comments.push({ id, issueId: issue.id, body });
        const how = lose;
        lose = null;
        if (how === "hang") return {};
        if (how === "500") return { status: 500, body: { errors: [{ message: "Internal error" }] } };
        return { body: { data: { commentCreate: { success: true, lastSyncId: 1, comment: { id } } } } };
      }
      case "updateIssue": {
        const issue = issueBy(v.id);
        if (!issue) return { body: notFound("Issue") };
        if (!(states.get(issue.teamId) ?? []).some((s) => s.id === v.input.stateId))
          return { body: { errors: [{ message: "Invalid state", extensions: { type: "invalid input" } }] } };
        issue.stateId = v.input.stateId;
        return { body: { data: { issueUpdate: { success: true, lastSyncId: 2, issue: { id: issue.id } } } } };
      }
    }
    return { body: { errors: [{ message: `unknown operation ${operation}`, extensions: { type: "graphql error" } }] } };
  }

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const { query, variables } = JSON.parse(raw) as { query: string; variables?: Record<string, any> };
      const operation = /^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "?";
      calls.push({ operation, variables: variables ?? {} });
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      // Personal API keys go in Authorization without `Bearer`.
      if (req.headers.authorization !== apiKey)
        return send(400, {
          errors: [{ message: "Authentication required", extensions: { type: "authentication error" } }],
        });
      if (rateLimitReset !== null) {
        const reset = rateLimitReset;
        rateLimitReset = null;
        return send(
          400,
          { errors: [{ message: "Rate limit exceeded", extensions: { code: "RATELIMITED" } }] },
          { "x-ratelimit-requests-reset": String(reset), "x-ratelimit-requests-remaining": "0" },
        );
      }
      const { status, body } = run(operation, variables ?? {});
      if (body !== undefined) send(status ?? 200, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/graphql`,
    apiKey,
    issues,
    states,
    comments,
    calls,
    rateLimitOnce: (resetInMs) => (rateLimitReset = Date.now() + resetInMs),
    loseNextComment: (how) => (lose = how),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
