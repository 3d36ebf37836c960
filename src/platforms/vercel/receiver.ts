import { badSignature, invalidBody, missingHeader } from "../../shared/errors.js";
import { objectOf } from "../incident-fields.js";
import { jsonObject } from "../json-object.js";
import { header, type Receiver } from "../platform.js";
import { VERCEL_TYPE, vercelDeployStatus, vercelPriority } from "./classify.js";
import { sha1Hexes, sha1Matches } from "./signature.js";

/**
 * Vercel webhooks (account webhooks and integrations): `x-vercel-signature` is the hex HMAC-SHA1 of the
 * raw body under the webhook's secret (an integration's Client Secret), each configured one tried. The
 * envelope `{type, id, createdAt, region, payload}` names the delivery by `id`. Nothing outside the
 * body is signed, so the signed body is remembered against replays, by its HMAC under the first secret.
 */
export function vercelReceiver(secrets: string[]): Receiver {
  return {
    replaySignatureHeader: "x-vercel-signature",
    contentTypes: ["application/json"],
    keepHeaders: [],
    async accept(req) {
      const signature = header(req, "x-vercel-signature");
      if (!signature) throw missingHeader("x-vercel-signature");
      const expected = sha1Hexes(secrets, req.rawBody);
      if (!sha1Matches(expected, signature.trim())) throw badSignature();
      const envelope = jsonObject(req.body);
      const { id, type } = envelope;
      const problems: string[] = [];
      if (typeof id !== "string" || !id) problems.push("id: must be a non-empty string");
      if (typeof type !== "string" || !VERCEL_TYPE.test(type)) problems.push("type: must be a Vercel event type");
      if (!envelope.payload || typeof envelope.payload !== "object" || Array.isArray(envelope.payload)) {
        problems.push("payload: must be an object");
      } else if (typeof type === "string" && vercelDeployStatus(type)) {
        const deploymentId = objectOf(objectOf(envelope.payload).deployment).id;
        if (typeof deploymentId !== "string" || !deploymentId) problems.push("payload.deployment.id: must be a string");
      }
      if (problems.length) throw invalidBody(`invalid Vercel webhook: ${problems.join("; ")}`);
      return {
        deliveryId: id as string,
        type: `vercel.${type as string}`,
        priority: vercelPriority(type as string),
        replaySignature: expected[0],
      };
    },
  };
}
