import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Accepted } from "../../../src/platforms/platform.js";
import { vercelReceiver } from "../../../src/platforms/vercel/receiver.js";
import { vercelRequest } from "../../../kit/sign.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { rawRequest } from "../../helpers/raw-request.js";

const fixtures = loadFixtures("vercel");
const receiver = vercelReceiver(["vercel-current", "vercel-previous"]);
const error = fixtures.deployment_error!;
const sha1 = (secret: string, body: string) => createHmac("sha1", secret).update(body).digest("hex");

const accept = async (...args: Parameters<typeof rawRequest>) =>
  (await receiver.accept(rawRequest(...args))) as Accepted;
const refusal = (...args: Parameters<typeof rawRequest>) => receiver.accept(rawRequest(...args));
/** A body signed as Vercel signs it, whatever it holds. */
const signed = (body: string, secret = "vercel-current") => ({
  body,
  headers: { "content-type": "application/json", "x-vercel-signature": sha1(secret, body) },
});

describe("vercelReceiver", () => {
  it("accepts a delivery signed with the secret, named by the envelope id, typed by its type", async () => {
    const verdict = await accept(vercelRequest(error.payload, "vercel-current"));
    expect(verdict).toMatchObject({
      deliveryId: "yk7OOgK9e15OohDHaF5E0",
      type: "vercel.deployment.error",
      priority: "critical",
    });
    expect(verdict.replaySignature).toBe(sha1("vercel-current", JSON.stringify(error.payload)));
  });

  it("accepts every configured secret (rotation), naming the body by the first secret's signature", async () => {
    const previous = await accept(vercelRequest(error.payload, "vercel-previous"));
    const current = await accept(vercelRequest(error.payload, "vercel-current"));
    expect(previous.replaySignature).toBe(current.replaySignature);
    expect(previous.deliveryId).toBe(current.deliveryId);
  });

  it("refuses a tampered body, another secret and a signature spelled otherwise", async () => {
    const req = vercelRequest(error.payload, "vercel-current");
    await expect(refusal({ ...req, body: req.body.replace("production", "staging") })).rejects.toMatchObject({
      reason: "bad_signature",
    });
    await expect(refusal(vercelRequest(error.payload, "wrong"))).rejects.toMatchObject({ reason: "bad_signature" });
    const sig = req.headers["x-vercel-signature"]!;
    const sha256 = createHmac("sha256", "vercel-current").update(req.body).digest("hex");
    for (const spelled of [sig.toUpperCase(), `sha1=${sig}`, sig.slice(1), `${sig},${sig}`, sha256]) {
      await expect(refusal(req, { "x-vercel-signature": spelled }), spelled).rejects.toMatchObject({
        reason: "bad_signature",
      });
    }
  });

  it("refuses a missing signature by name, before reading the body", async () => {
    await expect(refusal({ body: "{", headers: {} })).rejects.toMatchObject({
      reason: "missing_header",
      message: "missing header x-vercel-signature",
    });
  });

  it("refuses a signed body that is not a JSON object (400) or not an envelope (422)", async () => {
    for (const body of ["{", "[]", "null", "1"]) {
      await expect(refusal(signed(body, "vercel-previous")), body).rejects.toMatchObject({ reason: "malformed" });
    }
    const envelopes: Array<[unknown, RegExp]> = [
      [{ type: "deployment.created", payload: {} }, /id/],
      [{ id: "e1", payload: {} }, /type/],
      [{ id: "e1", type: "Deployment Created", payload: {} }, /type/],
      [{ id: "e1", type: "deployment.created" }, /payload/],
      [{ id: "e1", type: "deployment.created", payload: { deployment: {} } }, /payload\.deployment\.id/],
    ];
    for (const [envelope, field] of envelopes) {
      const refused = refusal(signed(JSON.stringify(envelope)));
      await expect(refused, JSON.stringify(envelope)).rejects.toMatchObject({ reason: "invalid_body" });
      await expect(refused).rejects.toThrow(field);
    }
  });

  it("classifies: failed deploys critical, other deploys high, every other event normal", async () => {
    const expected: Record<string, [string, string]> = {
      deployment_created: ["vercel.deployment.created", "high"],
      deployment_succeeded: ["vercel.deployment.succeeded", "high"],
      deployment_error: ["vercel.deployment.error", "critical"],
      deployment_canceled: ["vercel.deployment.canceled", "high"],
      deployment_promoted: ["vercel.deployment.promoted", "high"],
      project_created: ["vercel.project.created", "normal"],
    };
    expect(Object.keys(expected).sort()).toEqual(Object.keys(fixtures).sort());
    for (const [name, [type, priority]] of Object.entries(expected)) {
      const f = fixtures[name]!;
      expect(f.kind, name).toBe(f.payload.type);
      expect(await accept(vercelRequest(f.payload, "vercel-current")), name).toMatchObject({ type, priority });
    }
    const unknown = { id: "e2", type: "domain.created", createdAt: 1, payload: { domain: { name: "acme.com" } } };
    expect(await accept(vercelRequest(unknown, "vercel-current"))).toMatchObject({
      deliveryId: "e2",
      type: "vercel.domain.created",
      priority: "normal",
    });
  });
});
