import { LinearWebhookClient } from "@linear/sdk/webhooks";
import { badSignature, expired, malformed, missingHeader } from "../../shared/errors.js";
import { header, type Receiver } from "../platform.js";
import { linearPriority, linearType } from "./classify.js";

/** contract §2 bounds event names (`^[a-z_]{1,64}$`); Linear names entities in PascalCase (`IssueLabel`). */
const EVENT_NAME = /^[a-z_]{1,64}$/i;

/**
 * `Linear-Signature` verified by @linear/sdk's webhook client, which also holds `webhookTimestamp`
 * to ±60 s. It checks the signature first, so a timestamp error means the signature matched. It
 * takes the raw bytes: the HMAC covers exactly what arrived.
 */
export function linearReceiver(secrets: string[]): Receiver {
  const clients = secrets.map((secret) => new LinearWebhookClient(secret));
  return {
    replaySignatureHeader: "linear-signature",
    contentTypes: ["application/json"],
    keepHeaders: ["linear-delivery", "linear-event"],
    async accept(req) {
      const signature = header(req, "linear-signature");
      if (!signature) throw missingHeader("Linear-Signature");
      const deliveryId = header(req, "linear-delivery");
      if (!deliveryId) throw missingHeader("Linear-Delivery");
      // Not needed (the body names the entity) but stored: bounded when present.
      const event = header(req, "linear-event");
      if (event !== undefined && !EVENT_NAME.test(event)) {
        throw malformed("Linear-Event must be an entity name (letters, _; up to 64)");
      }
      let payload: Record<string, unknown> | undefined;
      for (const client of clients) {
        try {
          payload = client.parseData(req.rawBody, signature) as unknown as Record<string, unknown>;
          break;
        } catch (err) {
          if (err instanceof SyntaxError) throw malformed("body is not JSON");
          if (err instanceof Error && /timestamp/i.test(err.message)) {
            throw expired("webhookTimestamp outside the 60 s window");
          }
        }
      }
      if (!payload) throw badSignature();
      if (typeof payload !== "object" || payload === null) throw malformed("body is not a JSON object");
      return { deliveryId, type: linearType(payload), priority: linearPriority() };
    },
  };
}
