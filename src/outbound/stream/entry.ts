import type { OutboxItem } from "../../shared/outbound.js";
import { outboxFrame, sseComment } from "./sse.js";

/** Text for a client's socket, with its size in bytes counted once. */
export interface Frame {
  text: string;
  bytes: number;
}

/** A message in the hub: its position parsed once, its frame formatted once for all clients. */
export interface Entry {
  pos: bigint;
  item: OutboxItem;
  frame?: Frame;
}

export const frame = (text: string): Frame => ({ text, bytes: Buffer.byteLength(text) });
export const entryOf = (item: OutboxItem): Entry => ({ pos: BigInt(item.position), item });
export const frameOf = (e: Entry) => (e.frame ??= frame(outboxFrame(e.item)));
export const HEARTBEAT = frame(sseComment("keep-alive"));
