import { badSignature, invalidBody, missingHeader } from "../../shared/errors.js";
import { jsonObject } from "../json-object.js";
import { header, type Receiver } from "../platform.js";
import { argocdBody } from "./body.js";
import { deployPriority } from "../deploy/classify.js";
import { argocdStatus, argocdType } from "./classify.js";
import { secretMatcher } from "../shared-secret.js";
import { presentedSecret } from "./credential.js";

/**
 * Argo CD notifications' webhook service signs nothing: the secret travels as `Authorization: Bearer
 * <secret>` or as the password of Basic auth (docs/senders/argocd.md). Its body is the one our template
 * renders, validated here (422 naming the fields). Nothing signed means nothing to remember against
 * replays but the body's `id`, unique per notification: a re-post is the same delivery, deduplicated.
 */
export function argocdReceiver(secrets: string[]): Receiver {
  const matches = secretMatcher(secrets);
  return {
    contentTypes: ["application/json"],
    async accept(req) {
      const authorization = header(req, "authorization");
      if (!authorization) throw missingHeader("Authorization");
      if (!matches(presentedSecret(authorization))) throw badSignature("credentials do not match");
      const parsed = argocdBody.safeParse(jsonObject(req.body));
      if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
        throw invalidBody(`invalid Argo CD body: ${fields.join("; ")}`);
      }
      const status = argocdStatus(parsed.data);
      return { deliveryId: parsed.data.id, type: argocdType(status), priority: deployPriority(status) };
    },
  };
}
