import { Webhook } from "standardwebhooks";
import { invalidBody, missingHeader } from "../../shared/errors.js";
import { STANDARD_HEADERS, verifyStandardWebhook } from "../standard-webhooks.js";
import { header, type Receiver } from "../platform.js";
import { deployBody } from "./body.js";
import { deployPriority } from "./classify.js";

/** Standard Webhooks (npm `standardwebhooks`); each `whsec_` secret is tried for rotation. */
export function deployReceiver(secrets: string[]): Receiver {
  const verifiers = secrets.map((secret) => new Webhook(secret));
  return {
    contentTypes: ["application/json"],
    keepHeaders: ["webhook-id", "webhook-timestamp"],
    async accept(req) {
      const headers: Record<string, string> = {};
      for (const name of STANDARD_HEADERS) {
        const value = header(req, name);
        if (!value) throw missingHeader(name);
        headers[name] = value;
      }
      const payload = verifyStandardWebhook(verifiers, req.body, headers);
      const parsed = deployBody.safeParse(payload);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
        throw invalidBody(`invalid deploy body: ${fields.join("; ")}`);
      }
      const { status } = parsed.data;
      return { deliveryId: headers["webhook-id"]!, type: `deploy.${status}`, priority: deployPriority(status) };
    },
  };
}
