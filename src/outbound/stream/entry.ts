import type { OutboxItem } from "../../shared/outbound.js";
import { outboxFrame, sseComment } from "./sse.js";

/** Text for a client's socket, with its size in bytes counted once. */
export interface Frame {
  text: string;
  bytes: number;
}

/**
 * How a transport writes the hub's messages (Server-Sent Events, a WebSocket): the hub, its clients'
 * catch-up and their byte bounds are the same for every transport; only the frames differ.
 */
export interface StreamFormat {
  readonly name: "sse" | "ws";
  /** An item's frame text, made once per message for all the clients of this format. */
  item(item: OutboxItem): string;
  /** What an idle client is sent every beat; null when the transport keeps itself alive (WebSocket pings). */
  heartbeat: Frame | null;
  /** Each frame is one message of the transport (a WebSocket message), not a piece of one text stream. */
  messages: boolean;
}

/** A message in the hub: its position parsed once, its frame formatted once per format for all clients. */
export interface Entry {
  pos: bigint;
  item: OutboxItem;
  frames?: Partial<Record<StreamFormat["name"], Frame>>;
}

export const frame = (text: string): Frame => ({ text, bytes: Buffer.byteLength(text) });
export const entryOf = (item: OutboxItem): Entry => ({ pos: BigInt(item.position), item });
export const frameOf = (e: Entry, format: StreamFormat) =>
  ((e.frames ??= {})[format.name] ??= frame(format.item(e.item)));

/** Server-Sent Events (sse.ts): the stream's default. */
export const SSE: StreamFormat = {
  name: "sse",
  item: outboxFrame,
  heartbeat: frame(sseComment("keep-alive")),
  messages: false,
};
