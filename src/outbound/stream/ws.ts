import type { OutboxItem } from "../../shared/outbound.js";
import { envelopeOf, streamData } from "../envelope.js";
import type { StreamFormat } from "./entry.js";

/**
 * The live stream as a WebSocket (docs/outbound.md, "WebSocket stream"): one JSON text message per
 * item, control messages typed `switchyard.*` (no outbox item has such a type), the close codes.
 */

/** The subprotocol a client offers, and the only one echoed back (never its `bearer.<token>`). */
export const WS_PROTOCOL = "switchyard.v1";
/** A token offered as a subprotocol: `bearer.<token>`. */
export const BEARER_PROTOCOL_PREFIX = "bearer.";

/** Close codes: 1001 and 1013 are the standard's, 44xx/4008 mirror the HTTP statuses of the SSE endpoint. */
export const CLOSE = {
  /** The server is shutting down: reconnect (to another process) and resume. */
  shutdown: 1001,
  /** Too many live streams, or the database unreachable to resume: retry later. */
  unavailable: 1013,
  /** Too slow to keep up (SSE ends the stream): reconnect with `after` = the last position received. */
  slowClient: 4008,
  /** A first message that is not `{"type":"auth",…}` or not valid. */
  badRequest: 4400,
  /** No valid token in time. */
  unauthorized: 4401,
  /** The token lacks the `read` scope. */
  forbidden: 4403,
  /** Too many failed authentications from this client. */
  throttled: 4429,
} as const;

/** The close code and reason for a stream the hub ended (client.ts `end` reasons). */
export function closeFor(reason: string): { code: number; reason: string } {
  if (reason === "slow client") {
    return { code: CLOSE.slowClient, reason: "slow client: reconnect with after=<the last position received>" };
  }
  if (reason === "shutdown") return { code: CLOSE.shutdown, reason: "shutdown" };
  return { code: CLOSE.unavailable, reason };
}

/**
 * An item as one message: the fields of the SSE `data` (the item's data with the envelope), its `id`
 * and `type` (SSE's `id:` and `event:`), and its `position` to resume from.
 */
export function wsItem(item: OutboxItem): string {
  const data = streamData(item);
  const fields =
    data !== null && typeof data === "object" && !Array.isArray(data) ? data : { data, ...envelopeOf(item) };
  return JSON.stringify({ ...fields, id: item.id, type: item.type, position: item.position });
}

/** WebSocket messages; kept alive by the endpoint's pings, not by the hub's beats. */
export const WS: StreamFormat = { name: "ws", item: wsItem, heartbeat: null, messages: true };

/** The first message of a stream: it is subscribed, from `after` (null: from now), with a notice if any. */
export function readyMessage(after: bigint | null, notice?: string): string {
  return JSON.stringify({
    type: "switchyard.ready",
    protocol: WS_PROTOCOL,
    after: after === null ? null : String(after),
    ...(notice ? { notice } : {}),
  });
}
