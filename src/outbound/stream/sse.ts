import type { OutboxItem } from "../../shared/outbound.js";
import { streamData } from "../envelope.js";

/**
 * Server-Sent Events frames (HTML Living Standard, "server-sent events"). A field value ends at
 * CR or LF, so `id` and `event` lose theirs and `data` spans one `data:` line per line of text;
 * an `id` holding NUL is ignored by clients, so NUL is dropped from it too.
 */

const LINE_BREAK = /\r\n|\r|\n/;
const oneLine = (s: string) => s.replace(/[\r\n]/g, "");

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** One message: `id:`, `event:`, a `data:` line per line of `data`, and the blank line that dispatches it. */
export function sseMessage(m: SseMessage): string {
  let frame = "";
  if (m.id !== undefined) frame += `id: ${oneLine(m.id).replaceAll("\u0000", "")}\n`;
  if (m.event !== undefined) frame += `event: ${oneLine(m.event)}\n`;
  for (const line of m.data.split(LINE_BREAK)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** A comment: clients ignore it, proxies see traffic (heartbeats, notes for a human reading with curl). */
export function sseComment(text: string): string {
  return `${text
    .split(LINE_BREAK)
    .map((line) => `: ${line}`)
    .join("\n")}\n\n`;
}

/** The client's reconnection delay. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.trunc(ms))}\n\n`;
}

/**
 * An outbox message as the live stream sends it (contract §10): its id, its type, its data as JSON
 * with the envelope's fields added (docs/outbound.md).
 */
export function outboxFrame(item: Pick<OutboxItem, "id" | "type" | "data" | "kind" | "subject">): string {
  return sseMessage({ id: item.id, event: item.type, data: JSON.stringify(streamData(item)) });
}
