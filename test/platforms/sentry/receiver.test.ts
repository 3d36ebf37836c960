import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Accepted } from "../../../src/platforms/platform.js";
import { sentryReceiver } from "../../../src/platforms/sentry/receiver.js";
import { sentryRequest } from "../../../kit/sign.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { rawRequest } from "../../helpers/raw-request.js";

const fixtures = loadFixtures("sentry");
const receiver = sentryReceiver(["sentry-current", "sentry-previous"]);
const created = fixtures.issue_created!;
const hex = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");

const accept = async (...args: Parameters<typeof rawRequest>) =>
  (await receiver.accept(rawRequest(...args))) as Accepted;
const refusal = (...args: Parameters<typeof rawRequest>) => receiver.accept(rawRequest(...args));

describe("sentryReceiver", () => {
  it("accepts a delivery signed with the Client Secret, named by Request-ID, typed by resource and action", async () => {
    const verdict = await accept(sentryRequest("issue", created.payload, "sentry-current", "req-1"));
    expect(verdict).toMatchObject({ deliveryId: "req-1", type: "sentry.issue.created", priority: "high" });
    expect(verdict.replaySignature).toBe(hex("sentry-current", JSON.stringify(created.payload)));
  });

  it("accepts every configured secret (rotation), naming the body by the first secret's signature", async () => {
    const previous = await accept(sentryRequest("issue", created.payload, "sentry-previous"));
    const current = await accept(sentryRequest("issue", created.payload, "sentry-current"));
    expect(previous.replaySignature).toBe(current.replaySignature);
  });

  it("refuses a tampered body, another secret and a signature spelled otherwise", async () => {
    const req = sentryRequest("issue", created.payload, "sentry-current");
    await expect(refusal({ ...req, body: req.body.replace("created", "resolved") })).rejects.toMatchObject({
      reason: "bad_signature",
    });
    await expect(refusal(sentryRequest("issue", created.payload, "wrong"))).rejects.toMatchObject({
      reason: "bad_signature",
    });
    const sig = req.headers["sentry-hook-signature"]!;
    for (const spelled of [sig.toUpperCase(), `sha256=${sig}`, sig.slice(1), `${sig},${sig}`]) {
      await expect(refusal(req, { "sentry-hook-signature": spelled }), spelled).rejects.toMatchObject({
        reason: "bad_signature",
      });
    }
  });

  it("refuses missing headers by name, and a resource that is not a name", async () => {
    const req = sentryRequest("issue", created.payload, "sentry-current");
    for (const [name, shown] of [
      ["sentry-hook-signature", "Sentry-Hook-Signature"],
      ["request-id", "Request-ID"],
      ["sentry-hook-resource", "Sentry-Hook-Resource"],
    ] as const) {
      await expect(refusal(req, { [name]: undefined })).rejects.toMatchObject({
        reason: "missing_header",
        message: `missing header ${shown}`,
      });
    }
    for (const resource of ["Issue", "issue.created", "x".repeat(65), "is sue"]) {
      await expect(refusal(req, { "sentry-hook-resource": resource }), resource).rejects.toMatchObject({
        reason: "malformed",
      });
    }
  });

  it("needs no timestamp: it is not signed", async () => {
    const req = sentryRequest("issue", created.payload, "sentry-current");
    expect(await accept(req, { "sentry-hook-timestamp": undefined })).toMatchObject({ type: "sentry.issue.created" });
  });

  it("refuses a signed body that is not a JSON object", async () => {
    for (const body of ["{", "[]", "null", "1"]) {
      const headers = {
        "sentry-hook-signature": hex("sentry-previous", body),
        "request-id": "r",
        "sentry-hook-resource": "issue",
      };
      await expect(refusal({ body, headers }), body).rejects.toMatchObject({ reason: "malformed" });
    }
  });

  it("classifies: alerts that fire critical, issues and other metric alerts high, errors low, the rest normal", async () => {
    const expected: Record<string, [string, string]> = {
      issue_created: ["sentry.issue.created", "high"],
      issue_resolved: ["sentry.issue.resolved", "high"],
      event_alert_triggered: ["sentry.event_alert.triggered", "critical"],
      metric_alert_critical: ["sentry.metric_alert.critical", "critical"],
      metric_alert_resolved: ["sentry.metric_alert.resolved", "high"],
      installation_created: ["sentry.installation.created", "normal"],
      comment_created: ["sentry.comment.created", "normal"],
    };
    expect(Object.keys(expected).sort()).toEqual(Object.keys(fixtures).sort());
    for (const [name, [type, priority]] of Object.entries(expected)) {
      const f = fixtures[name]!;
      expect(await accept(sentryRequest(f.kind, f.payload, "sentry-current")), name).toMatchObject({ type, priority });
    }
    const error = await accept(sentryRequest("error", { action: "created", data: {} }, "sentry-current"));
    expect(error).toMatchObject({ type: "sentry.error.created", priority: "low" });
    const odd = await accept(sentryRequest("issue", { action: "re solved" }, "sentry-current"));
    expect(odd).toMatchObject({ type: "sentry.issue.unknown", priority: "high" });
  });
});
