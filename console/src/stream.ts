// GET /api/stream (contract §10) read with fetch and a stream reader: EventSource cannot send the
// Authorization header, and a token in the URL would end up in access logs.
import { ApiError, queryString } from "./api";
import { getToken } from "./auth";

export interface StreamMessage {
  id: string;
  event: string;
  data: unknown;
}

export interface StreamFilter {
  types?: string;
  platform?: string;
  subject?: string;
}

export interface StreamOptions {
  filter: StreamFilter;
  signal: AbortSignal;
  /** Resume after this message (contract §10: history in between is sent first). */
  lastEventId?: string;
  onOpen: () => void;
  onMessage: (m: StreamMessage) => void;
}

/**
 * Calls `onMessage` for each message until `signal` aborts or the server ends the stream (then it
 * resolves). Rejects with an ApiError when the server refuses the stream (404 if it has none).
 */
export async function readStream({ filter, signal, lastEventId, onOpen, onMessage }: StreamOptions): Promise<void> {
  const headers: Record<string, string> = { accept: "text/event-stream", authorization: `Bearer ${getToken()}` };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  const res = await fetch(`/api/stream${queryString({ ...filter })}`, { headers, signal });
  if (!res.ok || !res.body) throw new ApiError(res.status, res.statusText || "stream refused");
  if (!res.headers.get("content-type")?.includes("text/event-stream")) {
    throw new ApiError(415, "the server did not answer with an event stream");
  }
  onOpen();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    // Normalized on the whole buffer, so a CRLF split across two chunks is still one line end.
    buffer = (buffer + value).replace(/\r\n/g, "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const message = parseMessage(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (message) onMessage(message);
    }
  }
}

/** One SSE message block; comment-only blocks (keep-alives) give null. */
export function parseMessage(block: string): StreamMessage | null {
  let id = "";
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = value;
    else if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  const text = data.join("\n");
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: shown as text.
  }
  return { id, event, data: parsed };
}
