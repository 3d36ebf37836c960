import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { badSignature, expired, malformed } from "../shared/errors.js";

/** The Standard Webhooks headers, in the order `standardwebhooks` reads them. */
export const STANDARD_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

/**
 * Verifies a Standard Webhooks request (the generic deploy body, GitLab's signing token) with npm
 * `standardwebhooks`, each `whsec_` secret in turn (rotation); its 5-minute timestamp window included.
 * Answers the parsed body.
 */
export function verifyStandardWebhook(verifiers: readonly Webhook[], body: string, headers: Record<string, string>) {
  for (const verifier of verifiers) {
    try {
      return verifier.verify(body, headers) as unknown;
    } catch (err) {
      if (err instanceof SyntaxError) throw malformed("body is not JSON");
      if (err instanceof WebhookVerificationError && /timestamp/.test(err.message)) {
        throw expired("webhook-timestamp outside the 300 s window");
      }
    }
  }
  throw badSignature();
}
