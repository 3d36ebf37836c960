import { ENVELOPE_VERSION, type Envelope, type MessageBody, type OutboxItem } from "../shared/outbound.js";
import { correlationId, type Correlated } from "./correlation.js";

/** The envelope of an outbox item (docs/outbound.md): what caused it is the item itself, its event or milestone. */
export const envelopeOf = (item: Correlated & Pick<OutboxItem, "id">): Envelope => ({
  version: ENVELOPE_VERSION,
  correlationId: correlationId(item),
  causationId: item.id,
});

/** A subscription's message for an outbox item. */
export const messageBodyOf = (item: OutboxItem): MessageBody & Envelope => ({
  type: item.type,
  timestamp: item.createdAt,
  data: item.data,
  ...envelopeOf(item),
});

/**
 * An item's data as the live streams send it: its fields with the envelope's added (a stream has no
 * room for an envelope beside `data`: SSE frames hold one). Data that is not an object is sent as it is.
 */
export function streamData(item: Correlated & Pick<OutboxItem, "id">): unknown {
  const { data } = item;
  if (data === null || typeof data !== "object" || Array.isArray(data)) return data ?? null;
  return { ...data, ...envelopeOf(item) };
}
