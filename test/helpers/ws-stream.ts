import WebSocket from "ws";

/** A WebSocket stream client for tests (the `ws` package): its messages, its close, or the HTTP refusal. */

export interface WsMessage {
  type: string;
  id?: string;
  position?: string;
  [field: string]: unknown;
}

export interface WsStream {
  ws: WebSocket;
  /** Items (not `switchyard.*` control messages), in order. */
  items: WsMessage[];
  controls: WsMessage[];
  /** Resolves once `n` items came, or rejects after `ms`. */
  take(n: number, ms?: number): Promise<WsMessage[]>;
  until(test: () => boolean, ms?: number): Promise<void>;
  /** The close code and reason, once closed. */
  closed: Promise<{ code: number; reason: string }>;
}

export interface WsRefusal {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error: string; problems?: string[] };
}

/**
 * Opens `url` (ws://…/api/stream?…). Resolves with the stream once upgraded, or with the HTTP answer
 * that refused the upgrade.
 */
export function openWs(
  url: string,
  options: { protocols?: string[]; headers?: Record<string, string> } = {},
): Promise<WsStream | WsRefusal> {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  const s: WsStream = {
    ws,
    items: [],
    controls: [],
    until(test, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!test()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`WS: timed out after ${ms} ms with ${s.items.length} items`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    async take(n, ms) {
      await s.until(() => s.items.length >= n, ms);
      return s.items.slice(0, n);
    },
    closed: new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: String(reason) }))),
  };
  ws.on("message", (data) => {
    const m = JSON.parse(String(data)) as WsMessage;
    (m.type.startsWith("switchyard.") ? s.controls : s.items).push(m);
    notify();
  });
  ws.on("error", () => undefined);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(s));
    ws.once("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += String(c)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
    });
    ws.once("error", reject);
  });
}

export const isRefusal = (r: WsStream | WsRefusal): r is WsRefusal => "status" in r;
