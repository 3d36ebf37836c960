import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { badSignature, invalidBody, expired, malformed, missingHeader } from "../../shared/errors.js";
import { header, type Receiver } from "../platform.js";
import { deployBody } from "./body.js";
import { deployPriority } from "./classify.js";

const HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

/** Standard Webhooks (npm `standardwebhooks`); each `whsec_` secret is tried for rotation. */
export function deployReceiver(secrets: string[]): Receiver {
  const verifiers = secrets.map((secret) => new Webhook(secret));
  return {
    contentTypes: ["application/json"],
    keepHeaders: ["webhook-id", "webhook-timestamp"],
    async accept(req) {
      const headers: Record<string, string> = {};
      for (const name of HEADERS) {
        const value = header(req, name);
        if (!value) throw missingHeader(name);
        headers[name] = value;
      }
      let payload: unknown;
      let verified = false;
      for (const verifier of verifiers) {
        try {
          payload = verifier.verify(req.body, headers);
          verified = true;
          break;
        } catch (err) {
          if (err instanceof SyntaxError) throw malformed("body is not JSON");
          if (err instanceof WebhookVerificationError && /timestamp/.test(err.message)) {
            throw expired("webhook-timestamp outside the 300 s window");
          }
        }
      }
      if (!verified) throw badSignature();
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
