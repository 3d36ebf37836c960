import { createHash } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { badSignature, malformed, missingHeader } from "../../shared/errors.js";
import { secretMatcher } from "../shared-secret.js";
import { STANDARD_HEADERS, verifyStandardWebhook } from "../standard-webhooks.js";
import { jsonObject } from "../json-object.js";
import { header, type RawRequest, type Receiver } from "../platform.js";
import { EVENT_HEADER, gitlabPriority, gitlabType } from "./classify.js";

/** GitLab's signing token is a Standard Webhooks secret (`whsec_<base64 of 32 bytes>`); any other secret is a secret token. */
const SIGNING_PREFIX = "whsec_";

/** The Standard Webhooks headers, all or none: a partial set is a missing header. */
function signedHeaders(req: RawRequest): Record<string, string> | null {
  const present = STANDARD_HEADERS.filter((name) => header(req, name) !== undefined);
  if (!present.length) return null;
  const headers: Record<string, string> = {};
  for (const name of STANDARD_HEADERS) {
    const value = header(req, name);
    if (!value) throw missingHeader(name);
    headers[name] = value;
  }
  return headers;
}

/**
 * A signed request's `webhook-id` (GitLab sets it to the Idempotency-Key, and the signature covers it). Else
 * `Idempotency-Key` (GitLab 17.4 on; the same on GitLab's retries of one delivery). Before it, the
 * `X-Gitlab-Event-UUID` with the body's hash: that UUID is GitLab's recursion-detection id, shared by every hook
 * one request fires (a push to several branches sends several Push Hooks under one), so alone it would merge
 * distinct deliveries.
 */
function gitlabDeliveryId(
  req: RawRequest,
  signed: Record<string, string> | null,
  bodyHash: () => string,
): string | undefined {
  // Signed, the id is the signed one: an unsigned Idempotency-Key could be changed to post the request again.
  if (signed) return signed["webhook-id"];
  const key = header(req, "idempotency-key");
  if (key) return key;
  const event = header(req, "x-gitlab-event-uuid");
  if (event) return `${event}:${bodyHash().slice(0, 32)}`;
  return signed?.["webhook-id"];
}

/**
 * GitLab project and group webhooks. Two schemes, configured in GITLAB_WEBHOOK_SECRET side by side: a secret
 * token, sent as-is in `X-Gitlab-Token`, and the signing token (`whsec_…`, GitLab MR 230944): Standard Webhooks
 * `webhook-id`/`webhook-timestamp`/`webhook-signature` over `{id}.{ts}.{body}`. A request must pass every scheme
 * it presents, and present at least one. The token covers nothing, so when it is the only proof the body's
 * hash is remembered (replay); a signed request has its timestamp window instead.
 * Delivery id: see gitlabDeliveryId.
 */
export function gitlabReceiver(secrets: string[]): Receiver {
  const tokenMatches = secretMatcher(secrets.filter((s) => !s.startsWith(SIGNING_PREFIX)));
  const verifiers = secrets.filter((s) => s.startsWith(SIGNING_PREFIX)).map((s) => new Webhook(s));
  return {
    // Only consulted when a request has no replaySignature, i.e. when it is signed: the signature then names
    // (id, timestamp, body), so a replay within the window is the same delivery id anyway.
    replaySignatureHeader: "webhook-signature",
    contentTypes: ["application/json"],
    keepHeaders: [
      "x-gitlab-event",
      "x-gitlab-event-uuid",
      "x-gitlab-webhook-uuid",
      "x-gitlab-instance",
      "idempotency-key",
      "webhook-id",
      "webhook-timestamp",
    ],
    async accept(req) {
      const event = header(req, "x-gitlab-event");
      if (!event) throw missingHeader("X-Gitlab-Event");
      if (!EVENT_HEADER.test(event)) throw malformed("X-Gitlab-Event must be an event name (`Push Hook`, …)");
      const token = header(req, "x-gitlab-token");
      const signed = signedHeaders(req);
      if (token === undefined && !signed) throw missingHeader("X-Gitlab-Token");
      if (token !== undefined && !tokenMatches(token)) throw badSignature("X-Gitlab-Token does not match");
      if (signed) verifyStandardWebhook(verifiers, req.body, signed);
      // The body's SHA-256, made once whether the delivery id, the replay key or both need it.
      let hash: string | undefined;
      const bodyHash = () => (hash ??= createHash("sha256").update(req.rawBody).digest("hex"));
      const deliveryId = gitlabDeliveryId(req, signed, bodyHash);
      if (!deliveryId) throw missingHeader("Idempotency-Key");
      const payload = jsonObject(req.body);
      return {
        deliveryId,
        type: gitlabType(event, payload),
        priority: gitlabPriority(event, payload),
        replaySignature: signed ? undefined : bodyHash(),
      };
    },
  };
}
