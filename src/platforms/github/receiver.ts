import { verifyWithFallback } from "@octokit/webhooks-methods";
import { badSignature, malformed, missingHeader } from "../../shared/errors.js";
import { header, type Receiver } from "../platform.js";
import { githubPriority, githubType } from "./classify.js";
import { parseGithubPayload } from "./payload.js";

/**
 * contract §2 bounds event names to `^[a-z_]{1,64}$`; GitHub also sends `projects_v2_item`, so digits
 * after the first letter are allowed too.
 */
const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * `X-Hub-Signature-256` verified with Octokit's own verifier (@octokit/webhooks-methods, what
 * @octokit/webhooks runs). `Webhooks#verify` only knows the first secret, so rotation goes through
 * `verifyWithFallback`, the function @octokit/webhooks uses for its `additionalSecrets`. It takes
 * the body as a string only (the receive path has checked it is UTF-8, so it signs the same bytes).
 */
export function githubReceiver(secrets: string[]): Receiver {
  const [secret, ...additionalSecrets] = secrets;
  return {
    replaySignatureHeader: "x-hub-signature-256",
    contentTypes: ["application/json", "application/x-www-form-urlencoded"],
    keepHeaders: [
      "x-github-event",
      "x-github-delivery",
      "x-github-hook-id",
      "x-github-hook-installation-target-id",
      "x-github-hook-installation-target-type",
      "x-github-enterprise-host",
      "x-github-enterprise-version",
    ],
    async accept(req) {
      const event = header(req, "x-github-event");
      if (!event) throw missingHeader("X-GitHub-Event");
      if (!EVENT_NAME.test(event)) throw malformed("X-GitHub-Event must be an event name (a-z, 0-9, _; up to 64)");
      const deliveryId = header(req, "x-github-delivery");
      if (!deliveryId) throw missingHeader("X-GitHub-Delivery");
      const signature = header(req, "x-hub-signature-256");
      if (!signature) throw missingHeader("X-Hub-Signature-256");
      // An empty body makes the verifier throw rather than answer false.
      const valid = await verifyWithFallback(secret!, req.body, signature, additionalSecrets).catch(() => false);
      if (!valid) throw badSignature();
      const payload = parseGithubPayload(req.contentType, req.body);
      return { deliveryId, type: githubType(event, payload), priority: githubPriority(event, payload) };
    },
  };
}
