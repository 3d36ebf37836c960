import { hash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { v7 as uuidv7 } from "uuid";
import type { RawRequest, Receiver } from "../platforms/platform.js";
import type { Delivery, Platform } from "../shared/event.js";
import { malformed, Refused } from "../shared/errors.js";
import type { headerKeeper } from "./kept-headers.js";
import type { Holding } from "./limits.js";
import { mediaType, readBody } from "./read-body.js";

/**
 * Adds the delivery to the queue. `replayKey` names the signed bytes of a platform whose signature
 * covers no delivery id or timestamp: the same key under another delivery id is a replay.
 */
export type Enqueue = (
  delivery: Delivery,
  options?: { replayKey?: string },
) => Promise<{ id: string; duplicate: boolean }>;

export type Received = { answer: { status: number; body: unknown } } | { id: string; duplicate: boolean };

/** contract §2: delivery ids are bounded; printable, so they read back as they came. */
const MAX_DELIVERY_ID = 200;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The whole receive path: read the exact body, verify, enqueue. No database call here, so
 * acknowledging stays fast and depends only on Redis. Throws `Refused` for whatever it refuses.
 */
export async function receiveDelivery(
  receiver: Receiver | undefined,
  platform: Platform,
  request: IncomingMessage,
  deps: { enqueue: Enqueue; maxBytes: number; holding: Holding; keepHeaders: ReturnType<typeof headerKeeper> },
): Promise<Received> {
  if (!receiver) throw new Refused("not_configured", `${platform} receiver not configured`);
  const contentType = mediaType(request);
  if (!receiver.contentTypes.includes(contentType)) {
    throw new Refused("unsupported_media_type", `content type must be ${receiver.contentTypes.join(" or ")}`);
  }
  const rawBody = await readBody(request, deps.maxBytes, deps.holding);
  // Every verifier but Linear's takes a string. Only valid UTF-8 (which JSON and forms are) turns
  // into a string and back into the very bytes that were signed; NUL cannot be stored as text.
  if (!isUtf8(rawBody) || rawBody.includes(0)) throw malformed("body is not UTF-8 text");
  const req = lazyBody(request.headers, contentType, rawBody);
  const verdict = await receiver.accept(req);
  if ("answer" in verdict) return verdict;
  if (!verdict.deliveryId || verdict.deliveryId.length > MAX_DELIVERY_ID || CONTROL.test(verdict.deliveryId)) {
    throw malformed(`delivery id must be 1 to ${MAX_DELIVERY_ID} printable characters`);
  }
  const delivery: Delivery = {
    id: uuidv7(),
    platform,
    deliveryId: verdict.deliveryId,
    receivedAt: new Date().toISOString(),
    contentType,
    headers: deps.keepHeaders(request.headers),
    body: req.body,
    type: verdict.type,
    priority: verdict.priority,
  };
  const signature = receiver.replaySignatureHeader
    ? (verdict.replaySignature ?? req.headers[receiver.replaySignatureHeader])
    : undefined;
  return deps.enqueue(delivery, { replayKey: replayKey(platform, signature) });
}

/** The body as text is made once, when a verifier or the delivery first needs it. */
function lazyBody(headers: IncomingMessage["headers"], contentType: string, rawBody: Buffer): RawRequest {
  let body: string | undefined;
  return {
    headers,
    contentType,
    rawBody,
    get body() {
      return (body ??= rawBody.toString("utf8"));
    },
  };
}

/**
 * `platform:sha256(signature)`. A verified signature is already an HMAC-SHA256 of the exact body,
 * and the verifiers compare it as a string, so it names (secret, body) without hashing the body
 * again (20 µs for a 21 KB body); hashed, so Redis holds no signature. For GitHub and Linear a body
 * signed anew with a rotated secret is a new delivery (the rejection tests send one body under both
 * secrets). PagerDuty and Sentry name it by its HMAC under the first configured secret
 * (`Accepted.replaySignature`): under either secret it is the same delivery, and reordering the
 * configured secrets changes the key.
 */
function replayKey(platform: Platform, signature: string | string[] | undefined): string | undefined {
  if (typeof signature !== "string") return undefined;
  return `${platform}:${hash("sha256", signature)}`;
}
