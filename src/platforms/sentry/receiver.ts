import { badSignature, malformed, missingHeader } from "../../shared/errors.js";
import { anyHexMatches, hmacHexes } from "../hmac-hex.js";
import { jsonObject } from "../json-object.js";
import { header, type Receiver } from "../platform.js";
import { RESOURCE, sentryPriority, sentryType } from "./classify.js";

/**
 * Sentry integration-platform webhooks: `Sentry-Hook-Signature` is the hex HMAC-SHA256 of the raw
 * body under the integration's Client Secret (each configured one tried). `Sentry-Hook-Timestamp` is
 * not signed, so there is no replay window: the signed body is remembered instead. Sentry gives up on
 * a receiver that keeps taking over 1 s, so this does no more than verify and read the type.
 */
export function sentryReceiver(secrets: string[]): Receiver {
  return {
    replaySignatureHeader: "sentry-hook-signature",
    contentTypes: ["application/json"],
    keepHeaders: ["request-id", "sentry-hook-resource", "sentry-hook-timestamp"],
    async accept(req) {
      const signature = header(req, "sentry-hook-signature");
      if (!signature) throw missingHeader("Sentry-Hook-Signature");
      const deliveryId = header(req, "request-id");
      if (!deliveryId) throw missingHeader("Request-ID");
      const resource = header(req, "sentry-hook-resource");
      if (!resource) throw missingHeader("Sentry-Hook-Resource");
      if (!RESOURCE.test(resource)) throw malformed("Sentry-Hook-Resource must be a resource name (a-z, _; up to 64)");
      const expected = hmacHexes(secrets, req.rawBody);
      if (!anyHexMatches(expected, [signature.trim()])) throw badSignature();
      const payload = jsonObject(req.body);
      const type = sentryType(resource, payload);
      return { deliveryId, type, priority: sentryPriority(type), replaySignature: expected[0] };
    },
  };
}
