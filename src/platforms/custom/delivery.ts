import { v7 as uuidv7 } from "uuid";
import type { Delivery } from "../../shared/event.js";
import type { PublishedEvent } from "./body.js";

/** The stored header naming the API token that published a delivery (its name, else its short id). */
export const PUBLISHER_HEADER = "x-switchyard-publisher";

/**
 * A published event as a delivery, stored and queued like a webhook's. Its delivery id is
 * `<source>:<idempotencyKey>` when a key is given, so the queue's and raw_deliveries' deduplication turn a
 * repeat away; without one it is the delivery's own id, and every publish is new.
 */
export function publishedDelivery(e: PublishedEvent, publisher: string, receivedAt: Date): Delivery {
  const id = uuidv7();
  return {
    id,
    platform: "custom",
    deliveryId: e.idempotencyKey === undefined ? id : `${e.source}:${e.idempotencyKey}`,
    receivedAt: receivedAt.toISOString(),
    contentType: "application/json",
    headers: { "content-type": "application/json", [PUBLISHER_HEADER]: publisher },
    body: JSON.stringify(e),
    type: e.type,
    priority: e.priority ?? "normal",
  };
}
