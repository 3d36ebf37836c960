import type { IncomingMessage } from "node:http";
import { v7 as uuidv7 } from "uuid";
import type { Receiver } from "../platforms/platform.js";
import type { Delivery, Platform } from "../shared/event.js";
import { Refused } from "../shared/errors.js";
import { keptHeaders } from "./kept-headers.js";
import { mediaType, readBody } from "./read-body.js";

export type Enqueue = (delivery: Delivery) => Promise<{ id: string; duplicate: boolean }>;

export type Received = { answer: { status: number; body: unknown } } | { id: string; duplicate: boolean };

/**
 * The whole receive path: read the exact body, verify, enqueue. No database call here, so
 * acknowledging stays fast and depends only on Redis. Throws `Refused` for whatever it refuses.
 */
export async function receiveDelivery(
  receiver: Receiver | undefined,
  platform: Platform,
  request: IncomingMessage,
  deps: { enqueue: Enqueue; maxBytes: number },
): Promise<Received> {
  if (!receiver) throw new Refused("not_configured", `${platform} receiver not configured`);
  const contentType = mediaType(request);
  if (!receiver.contentTypes.includes(contentType)) {
    throw new Refused("unsupported_media_type", `content type must be ${receiver.contentTypes.join(" or ")}`);
  }
  const rawBody = await readBody(request, deps.maxBytes);
  const req = { headers: request.headers, contentType, rawBody, body: rawBody.toString("utf8") };
  const verdict = await receiver.accept(req);
  if ("answer" in verdict) return verdict;
  const delivery: Delivery = {
    id: uuidv7(),
    platform,
    deliveryId: verdict.deliveryId,
    receivedAt: new Date().toISOString(),
    contentType,
    headers: keptHeaders(req.headers),
    body: req.body,
    type: verdict.type,
    priority: verdict.priority,
  };
  return deps.enqueue(delivery);
}
