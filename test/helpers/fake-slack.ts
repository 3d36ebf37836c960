import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback Slack Web API for the methods the Slack sender calls: `chat.postMessage` and
 * `conversations.history`. Bodies are read as @slack/web-api sends them (form-encoded, objects as
 * JSON strings) or as JSON. Answers like Slack: HTTP 200 with `{ok}`, 429 with `Retry-After`.
 */
export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: any[];
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
}

/** What the next call of a method gets instead of the usual answer. */
export type Trouble =
  | { status: 429; retryAfter?: number }
  | { status: number }
  | { error: string }
  /** Posts the message, then answers 500: Slack accepted it but the answer was lost. */
  | { acceptThenFail: true };

export interface FakeSlack {
  /** Ends with `/api/`, as `slackApiUrl` wants. */
  apiUrl: string;
  token: string;
  posted: PostedMessage[];
  calls: Array<{ method: string; args: Record<string, any> }>;
  /** Queues trouble for the next calls of a method, in order. */
  trouble(method: string, ...t: Trouble[]): void;
  close(): Promise<void>;
}

export async function startFakeSlack(token = "xoxb-test-token"): Promise<FakeSlack> {
  const posted: PostedMessage[] = [];
  const calls: FakeSlack["calls"] = [];
  const troubles = new Map<string, Trouble[]>();
  let clock = 1_800_000_000;

  const readArgs = (raw: string, type: string | undefined): Record<string, any> => {
    if (type?.startsWith("application/json")) return JSON.parse(raw);
    const args: Record<string, any> = Object.fromEntries(new URLSearchParams(raw));
    for (const k of ["blocks", "metadata"]) if (typeof args[k] === "string") args[k] = JSON.parse(args[k]);
    return args;
  };

  function post(args: Record<string, any>): PostedMessage {
    const message: PostedMessage = {
      channel: String(args.channel),
      ts: `${clock++}.000100`,
      text: String(args.text ?? ""),
      blocks: args.blocks ?? [],
      metadata: args.metadata ?? null,
    };
    posted.push(message);
    return message;
  }

  function history(args: Record<string, any>) {
    const oldest = Number(args.oldest ?? 0);
    const limit = Number(args.limit ?? 100);
    const offset = Number(args.cursor ?? 0);
    const all = posted
      .filter((m) => m.channel === args.channel && Number(m.ts) > oldest)
      .reverse()
      .map((m) => ({
        type: "message",
        ts: m.ts,
        text: m.text,
        // Slack returns metadata only when asked for it.
        ...(args.include_all_metadata === "true" || args.include_all_metadata === true
          ? { metadata: m.metadata ?? undefined }
          : {}),
      }));
    const page = all.slice(offset, offset + limit);
    const more = offset + limit < all.length;
    return {
      ok: true,
      messages: page,
      has_more: more,
      response_metadata: { next_cursor: more ? String(offset + limit) : "" },
    };
  }

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const method = (req.url ?? "").replace(/^\/api\//, "");
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      const args = readArgs(raw, req.headers["content-type"]);
      calls.push({ method, args });
      if (req.headers.authorization !== `Bearer ${token}`) return answer(200, { ok: false, error: "invalid_auth" });
      const t = troubles.get(method)?.shift();
      if (t && "acceptThenFail" in t) {
        if (method === "chat.postMessage") post(args);
        return answer(500, { ok: false, error: "internal_error" });
      }
      if (t && "status" in t)
        return answer(
          t.status,
          { ok: false, error: t.status === 429 ? "ratelimited" : "http_error" },
          "retryAfter" in t && t.retryAfter !== undefined ? { "retry-after": String(t.retryAfter) } : {},
        );
      if (t && "error" in t) return answer(200, { ok: false, error: t.error });
      if (method === "chat.postMessage") {
        const m = post(args);
        return answer(200, { ok: true, channel: m.channel, ts: m.ts, message: { text: m.text } });
      }
      if (method === "conversations.history") return answer(200, history(args));
      answer(200, { ok: false, error: "unknown_method" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    token,
    posted,
    calls,
    trouble: (method, ...t) => troubles.set(method, [...(troubles.get(method) ?? []), ...t]),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
