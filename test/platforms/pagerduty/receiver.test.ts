import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pagerdutyReceiver } from "../../../src/platforms/pagerduty/receiver.js";
import type { Accepted } from "../../../src/platforms/platform.js";
import { pagerdutyRequest } from "../../../kit/sign.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { rawRequest } from "../../helpers/raw-request.js";

const fixtures = loadFixtures("pagerduty");
const SECRETS = ["pd-current", "pd-previous"];
const receiver = pagerdutyReceiver(SECRETS);
const triggered = fixtures.incident_triggered!.payload;
const v1 = (secret: string, body: string) => `v1=${createHmac("sha256", secret).update(body).digest("hex")}`;

const accept = async (...args: Parameters<typeof rawRequest>) =>
  (await receiver.accept(rawRequest(...args))) as Accepted;
const refusal = (...args: Parameters<typeof rawRequest>) => receiver.accept(rawRequest(...args));

describe("pagerdutyReceiver", () => {
  it("accepts a delivery signed with a configured secret, named by X-Webhook-Id", async () => {
    const verdict = await accept(pagerdutyRequest(triggered, "pd-current", "wh-1"));
    expect(verdict).toMatchObject({ deliveryId: "wh-1", type: "pagerduty.incident.triggered", priority: "critical" });
  });

  it("accepts the other configured secret (rotation on our side)", async () => {
    expect(await accept(pagerdutyRequest(triggered, "pd-previous"))).toMatchObject({ priority: "critical" });
  });

  it("accepts a list of signatures when any matches (rotation on PagerDuty's side)", async () => {
    const req = pagerdutyRequest(triggered, ["someone-elses", "pd-previous"]);
    expect(req.headers["x-pagerduty-signature"]).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(await accept(req)).toMatchObject({ type: "pagerduty.incident.triggered" });
    // With spaces after the commas too.
    const spaced = req.headers["x-pagerduty-signature"]!.replace(",", ", ");
    expect(await accept(req, { "x-pagerduty-signature": spaced })).toMatchObject({ priority: "critical" });
  });

  it("names the signed body the same however the signature list is spelled", async () => {
    const both = pagerdutyRequest(triggered, ["pd-current", "pd-previous"]);
    const [first, second] = both.headers["x-pagerduty-signature"]!.split(",");
    const spellings = [`${first},${second}`, `${second},${first}`, second!, `${first},v1=${"0".repeat(64)}`];
    const keys = await Promise.all(spellings.map((s) => accept(both, { "x-pagerduty-signature": s })));
    expect(new Set(keys.map((k) => k.replaySignature)).size).toBe(1);
    expect(keys[0]!.replaySignature).toBe(v1("pd-current", both.body).slice(3));
    const other = await accept(pagerdutyRequest(fixtures.incident_resolved!.payload, "pd-current"));
    expect(other.replaySignature).not.toBe(keys[0]!.replaySignature);
  });

  it("refuses a tampered body, an unknown secret and other signature versions", async () => {
    const req = pagerdutyRequest(triggered, "pd-current");
    await expect(refusal({ ...req, body: req.body.replace("triggered", "resolved") })).rejects.toMatchObject({
      reason: "bad_signature",
    });
    await expect(refusal(pagerdutyRequest(triggered, ["wrong", "also-wrong"]))).rejects.toMatchObject({
      reason: "bad_signature",
    });
    const sig = req.headers["x-pagerduty-signature"]!;
    for (const spelled of [sig.replace("v1=", "v2="), sig.slice(3), sig.toUpperCase().replace("V1=", "v1="), "v1="]) {
      await expect(refusal(req, { "x-pagerduty-signature": spelled }), spelled).rejects.toMatchObject({
        reason: "bad_signature",
      });
    }
  });

  it("refuses a missing signature or delivery id with the header's name", async () => {
    const req = pagerdutyRequest(triggered, "pd-current");
    await expect(refusal(req, { "x-pagerduty-signature": undefined })).rejects.toMatchObject({
      reason: "missing_header",
      message: "missing header X-PagerDuty-Signature",
    });
    await expect(refusal(req, { "x-webhook-id": undefined })).rejects.toMatchObject({
      reason: "missing_header",
      message: "missing header X-Webhook-Id",
    });
  });

  it("refuses a signed body that is not a JSON object", async () => {
    for (const body of ["{", "[1]", "null", '"s"']) {
      const headers = { "x-pagerduty-signature": v1("pd-current", body), "x-webhook-id": "wh" };
      await expect(refusal({ body, headers }), body).rejects.toMatchObject({ reason: "malformed" });
    }
  });

  it("classifies by event type: openings critical, other incident events high, the rest normal", async () => {
    const cases: Array<[string, string, string]> = [
      ["incident_acknowledged", "pagerduty.incident.acknowledged", "high"],
      ["incident_resolved", "pagerduty.incident.resolved", "high"],
      ["incident_annotated", "pagerduty.incident.annotated", "high"],
      ["service_updated", "pagerduty.service.updated", "normal"],
    ];
    for (const [name, type, priority] of cases) {
      expect(await accept(pagerdutyRequest(fixtures[name]!.payload, "pd-current")), name).toMatchObject({
        type,
        priority,
      });
    }
    const reopened = { event: { ...triggered.event, event_type: "incident.reopened" } };
    expect(await accept(pagerdutyRequest(reopened, "pd-current"))).toMatchObject({ priority: "critical" });
    for (const eventType of ["incident triggered", "a.b.c.d.e", "", 7, "incident..x", "x".repeat(65)]) {
      const odd = { event: { ...triggered.event, event_type: eventType } };
      expect(await accept(pagerdutyRequest(odd, "pd-current")), String(eventType)).toMatchObject({
        type: "pagerduty.unknown",
        priority: "normal",
      });
    }
  });
});
