/** A small Server-Sent Events reader for tests: Node's fetch and the standard's parsing rules. */

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

export interface SseParser {
  push(text: string): void;
}

/** Parses an event stream (HTML Living Standard, "event stream interpretation"). */
export function sseParser(on: {
  message(m: SseEvent): void;
  comment?(text: string): void;
  retry?(ms: number): void;
}): SseParser {
  let rest = "";
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  const line = (l: string) => {
    if (l === "") {
      if (data.length) on.message({ id, event, data: data.join("\n") });
      data = [];
      event = undefined;
      return;
    }
    if (l.startsWith(":")) return on.comment?.(l.slice(1).replace(/^ /, ""));
    const colon = l.indexOf(":");
    const field = colon < 0 ? l : l.slice(0, colon);
    const value = colon < 0 ? "" : l.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\u0000")) id = value;
    else if (field === "retry" && /^\d+$/.test(value)) on.retry?.(Number(value));
  };
  return {
    push(text) {
      rest += text;
      const lines = rest.split(/\r\n|\r(?!$)|\n/);
      rest = lines.pop()!;
      lines.forEach(line);
    },
  };
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The body when the answer is not a stream. */
  body?: any;
  messages: SseEvent[];
  comments: string[];
  retry?: number;
  /** The id of the last message, what a client resumes from. */
  lastEventId?: string;
  /** Resolves once `n` messages came (all of them so far), or rejects after `ms`. */
  take(n: number, ms?: number): Promise<SseEvent[]>;
  /** Resolves once `test` holds, or rejects after `ms`. */
  until(test: () => boolean, ms?: number): Promise<void>;
  /** Resolves when the server ends the stream (or the connection breaks). */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  const s: SseStream = {
    status: res.status,
    headers: res.headers,
    messages: [],
    comments: [],
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
          reject(new Error(`SSE: timed out after ${ms} ms with ${s.messages.length} messages`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    async take(n, ms) {
      await s.until(() => s.messages.length >= n, ms);
      return s.messages.slice(0, n);
    },
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) {
    const text = await res.text();
    try {
      s.body = JSON.parse(text);
    } catch {
      s.body = text;
    }
    return s;
  }
  const parser = sseParser({
    message(m) {
      s.messages.push(m);
      if (m.id !== undefined) s.lastEventId = m.id;
      notify();
    },
    comment(text) {
      s.comments.push(text);
      notify();
    },
    retry(ms) {
      s.retry = ms;
      notify();
    },
  });
  s.ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body!) parser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch {
      // aborted by us, or the connection broke: both end the stream
    }
  })();
  return s;
}
