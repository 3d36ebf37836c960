import { verifyWithFallback } from "@octokit/webhooks-methods";
import { badSignature, missingHeader } from "../../shared/errors.js";
import { header, type Receiver } from "../platform.js";
import { githubPriority, githubType } from "./classify.js";
import { parseGithubPayload } from "./payload.js";

/**
 * `X-Hub-Signature-256` verified with Octokit's own verifier (@octokit/webhooks-methods, what
 * @octokit/webhooks runs). `Webhooks#verify` only knows the first secret, so rotation goes through
 * `verifyWithFallback`, the function @octokit/webhooks uses for its `additionalSecrets`.
 */
export function githubReceiver(secrets: string[]): Receiver {
  const [secret, ...additionalSecrets] = secrets;
  return {
    platform: "github",
    contentTypes: ["application/json", "application/x-www-form-urlencoded"],
    async accept(req) {
      const event = header(req, "x-github-event");
      if (!event) throw missingHeader("X-GitHub-Event");
      const deliveryId = header(req, "x-github-delivery");
      if (!deliveryId) throw missingHeader("X-GitHub-Delivery");
      const signature = header(req, "x-hub-signature-256");
      if (!signature) throw missingHeader("X-Hub-Signature-256");
      const valid = await verifyWithFallback(secret!, req.body, signature, additionalSecrets).catch(() => false);
      if (!valid) throw badSignature();
      const payload = parseGithubPayload(req.contentType, req.body);
      return { deliveryId, type: githubType(event, payload), priority: githubPriority(event, payload) };
    },
  };
}
