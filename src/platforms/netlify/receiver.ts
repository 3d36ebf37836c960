import { badSignature, invalidBody, malformed, missingHeader } from "../../shared/errors.js";
import { hmacHexes } from "../hmac-hex.js";
import { jsonObject } from "../json-object.js";
import { header, type Receiver } from "../platform.js";
import { NETLIFY_EVENT, netlifyPriority } from "./classify.js";
import { netlifyJwsMatches } from "./jws.js";

/**
 * Netlify deploy notifications (outgoing webhooks) with a JWS secret token: `X-Webhook-Signature` is an
 * HS256 JWT with `iss: "netlify"` and `sha256`, the body's hash (netlify/jws.ts). Required here: a
 * notification without a JWS secret cannot be told from anyone's. `X-Netlify-Event` names the event; the
 * body is the deploy, and one deploy sends several events, so the delivery id is `<deploy id>:<event>`.
 * The token names the body and nothing else (no delivery id, no time), so the body is remembered
 * against replays, by its HMAC-SHA256 under the first secret (a token can be made anew for a body).
 */
export function netlifyReceiver(secrets: string[]): Receiver {
  return {
    replaySignatureHeader: "x-webhook-signature",
    contentTypes: ["application/json"],
    keepHeaders: ["x-netlify-event"],
    async accept(req) {
      const token = header(req, "x-webhook-signature");
      if (!token) throw missingHeader("X-Webhook-Signature");
      const event = header(req, "x-netlify-event");
      if (!event) throw missingHeader("X-Netlify-Event");
      if (!NETLIFY_EVENT.test(event)) throw malformed("X-Netlify-Event must be an event name (a-z, _; up to 64)");
      if (!(await netlifyJwsMatches(secrets, token.trim(), req.rawBody))) throw badSignature();
      const deploy = jsonObject(req.body);
      if (typeof deploy.id !== "string" || !deploy.id)
        throw invalidBody("invalid Netlify deploy: id: must be a string");
      return {
        // A deploy sends each event once, but locks and unlocks may repeat: its update time tells them apart.
        deliveryId: `${deploy.id}:${event}${typeof deploy.updated_at === "string" ? `:${deploy.updated_at.slice(0, 40)}` : ""}`,
        type: `netlify.${event}`,
        priority: netlifyPriority(event),
        // Only the first secret's HMAC names the body: the JWS was checked by its own hash.
        replaySignature: hmacHexes(secrets.slice(0, 1), req.rawBody)[0],
      };
    },
  };
}
