import { badSignature, missingHeader } from "../../shared/errors.js";
import { anyHexMatches, hmacHexes, v1Signatures } from "../hmac-hex.js";
import { jsonObject } from "../json-object.js";
import { header, type Receiver } from "../platform.js";
import { pagerdutyEventType, pagerdutyPriority, pagerdutyType } from "./classify.js";

/**
 * PagerDuty v3: `X-PagerDuty-Signature` lists `v1=<hex HMAC-SHA256 of the raw body>`, one per
 * PagerDuty secret during its rotation; any listed one matching any configured secret will do.
 * Nothing signs a timestamp or the id, so the signed body is remembered against replays, by its
 * HMAC under the first secret: the header can be respelled (signatures dropped, reordered), the body not.
 */
export function pagerdutyReceiver(secrets: string[]): Receiver {
  return {
    replaySignatureHeader: "x-pagerduty-signature",
    contentTypes: ["application/json"],
    keepHeaders: ["x-webhook-id", "x-webhook-subscription"],
    async accept(req) {
      const signature = header(req, "x-pagerduty-signature");
      if (!signature) throw missingHeader("X-PagerDuty-Signature");
      // PagerDuty's id for the webhook, the same on each of its retries (its docs' "At-Least-Once Delivery").
      const deliveryId = header(req, "x-webhook-id");
      if (!deliveryId) throw missingHeader("X-Webhook-Id");
      const expected = hmacHexes(secrets, req.rawBody);
      if (!anyHexMatches(expected, v1Signatures(signature))) throw badSignature();
      const payload = jsonObject(req.body);
      const eventType = pagerdutyEventType(payload);
      return {
        deliveryId,
        type: pagerdutyType(eventType),
        priority: pagerdutyPriority(eventType),
        replaySignature: expected[0],
      };
    },
  };
}
