import { createHash } from "node:crypto";
import { isValidSlackRequest } from "@slack/bolt";
import { badSignature, expired, missingHeader } from "../../shared/errors.js";
import { header, type Receiver } from "../platform.js";
import { slackPriority, slackType } from "./classify.js";
import { parseSlackBody } from "./payload.js";

const MAX_SKEW_SECONDS = 300;

/** Slack's v0 signature, verified by @slack/bolt's verifier against each secret in turn. */
export function slackReceiver(secrets: string[]): Receiver {
  return {
    contentTypes: ["application/json", "application/x-www-form-urlencoded"],
    keepHeaders: ["x-slack-request-timestamp", "x-slack-retry-num", "x-slack-retry-reason"],
    async accept(req) {
      const signature = header(req, "x-slack-signature");
      if (!signature) throw missingHeader("X-Slack-Signature");
      const timestampHeader = header(req, "x-slack-request-timestamp");
      if (!timestampHeader) throw missingHeader("X-Slack-Request-Timestamp");
      const timestamp = Number(timestampHeader);
      // Bolt's verifier refuses stale timestamps only; a future one is a replay risk too.
      if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > MAX_SKEW_SECONDS) {
        throw expired("X-Slack-Request-Timestamp outside the 300 s window");
      }
      const headers = { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp };
      if (!secrets.some((signingSecret) => isValidSlackRequest({ signingSecret, body: req.body, headers }))) {
        throw badSignature();
      }
      const body = parseSlackBody(req.contentType, req.body);
      if (body.kind === "url_verification") return { answer: { status: 200, body: { challenge: body.challenge } } };
      const eventId = body.kind === "event" ? body.envelope.event_id : undefined;
      // Interactions and commands carry no id: the same bytes are the same delivery. A string
      // event_id is the id, bounded like any (receive-delivery); any other value is no id at all.
      const deliveryId =
        typeof eventId === "string" ? eventId : `sha256:${createHash("sha256").update(req.rawBody).digest("hex")}`;
      const type = slackType(body);
      return { deliveryId, type, priority: slackPriority(type) };
    },
  };
}
