import { badSignature, invalidBody, missingHeader } from "../../shared/errors.js";
import { anyHexMatches, hmacHexes, v1Signatures } from "../hmac-hex.js";
import { objectOf } from "../incident-fields.js";
import { jsonObject } from "../json-object.js";
import { header, type Receiver } from "../platform.js";
import { circleciPriority, circleciType } from "./classify.js";
import type { DeployWorkflow } from "./deploy-workflows.js";

const MAX_ID = 200;

/**
 * CircleCI outbound webhooks: `circleci-signature` lists `v1=<hex HMAC-SHA256 of the raw body>`; any
 * listed one matching any configured secret will do. Nothing signs a timestamp, so the signed body is
 * remembered against replays by its HMAC under the first secret (as PagerDuty's). The delivery id is
 * the body's `id`, CircleCI's id of the event, the same on its retries.
 */
export function circleciReceiver(secrets: string[], workflows: readonly DeployWorkflow[]): Receiver {
  return {
    replaySignatureHeader: "circleci-signature",
    contentTypes: ["application/json"],
    keepHeaders: ["circleci-event-type"],
    async accept(req) {
      const signature = header(req, "circleci-signature");
      if (!signature) throw missingHeader("circleci-signature");
      const expected = hmacHexes(secrets, req.rawBody);
      if (!anyHexMatches(expected, v1Signatures(signature))) throw badSignature();
      const payload = jsonObject(req.body);
      const id = payload.id;
      if (typeof id !== "string" || !id || id.length > MAX_ID) {
        throw invalidBody(`invalid CircleCI body: id: must be a string of 1 to ${MAX_ID} characters`);
      }
      const type = circleciType(payload, workflows);
      return {
        deliveryId: id,
        type,
        priority: circleciPriority(type, objectOf(payload.workflow).status),
        replaySignature: expected[0],
      };
    },
  };
}
