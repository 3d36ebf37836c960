import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { netlifyReceiver } from "../../../src/platforms/netlify/receiver.js";
import type { Accepted } from "../../../src/platforms/platform.js";
import { netlifyRequest } from "../../../kit/sign.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { rawRequest } from "../../helpers/raw-request.js";

const fixtures = loadFixtures("netlify");
const receiver = netlifyReceiver(["netlify-current", "netlify-previous"]);
const created = fixtures.deploy_created!;
const sha256 = (body: string) => createHash("sha256").update(body).digest("hex");
const hex = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");

const accept = async (...args: Parameters<typeof rawRequest>) =>
  (await receiver.accept(rawRequest(...args))) as Accepted;
const refusal = (...args: Parameters<typeof rawRequest>) => receiver.accept(rawRequest(...args));
const badSignature = { reason: "bad_signature" };

describe("netlifyReceiver", () => {
  it("accepts a JWS of the body, named by deploy id, event and update time, typed by X-Netlify-Event", async () => {
    const verdict = await accept(netlifyRequest("deploy_created", created.payload, "netlify-current"));
    expect(verdict).toMatchObject({
      deliveryId: "5b78192ac9659217dbf7c9aa:deploy_created:2018-08-18T13:03:44.609Z",
      type: "netlify.deploy_created",
      priority: "high",
    });
    // The body named by its HMAC under the first secret: a token made anew for it is the same delivery.
    expect(verdict.replaySignature).toBe(hex("netlify-current", JSON.stringify(created.payload)));
    // A lock repeated later is another delivery.
    const again = await accept(
      netlifyRequest(
        "deploy_locked",
        { ...created.payload, updated_at: "2018-08-19T09:00:00.000Z" },
        "netlify-current",
      ),
    );
    expect(again.deliveryId).toBe("5b78192ac9659217dbf7c9aa:deploy_locked:2018-08-19T09:00:00.000Z");
  });

  it("accepts every configured secret (rotation), naming the body alike", async () => {
    const previous = await accept(netlifyRequest("deploy_created", created.payload, "netlify-previous"));
    const current = await accept(netlifyRequest("deploy_created", created.payload, "netlify-current"));
    expect(previous.replaySignature).toBe(current.replaySignature);
  });

  it("refuses a tampered body, another secret, a tampered token and another algorithm", async () => {
    const req = netlifyRequest("deploy_created", created.payload, "netlify-current");
    await expect(refusal({ ...req, body: req.body.replace("ready", "error") })).rejects.toMatchObject(badSignature);
    await expect(refusal(netlifyRequest("deploy_created", created.payload, "wrong"))).rejects.toMatchObject(
      badSignature,
    );
    const token = req.headers["x-webhook-signature"]!;
    const [head, claims, sig] = token.split(".");
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${claims}.`;
    const hs512 = `${Buffer.from('{"alg":"HS512","typ":"JWT"}').toString("base64url")}.${claims}`;
    const hs512Signed = `${hs512}.${createHmac("sha512", "netlify-current").update(hs512).digest("base64url")}`;
    for (const spelled of [
      `${head}.${claims}.${sig!.slice(2)}`,
      none,
      hs512Signed,
      "not-a-jwt",
      hex("netlify-current", req.body),
    ]) {
      await expect(refusal(req, { "x-webhook-signature": spelled }), spelled).rejects.toMatchObject(badSignature);
    }
  });

  it("refuses a token from another issuer, of another body, without a hash, or expired", async () => {
    const otherHash = sha256(JSON.stringify(fixtures.deploy_failed!.payload));
    for (const claims of [
      { iss: "netlify-impostor" },
      { iss: undefined },
      { sha256: otherHash },
      { sha256: undefined },
      { sha256: "0".repeat(64) },
      { exp: Math.floor(Date.now() / 1000) - 3600 },
    ]) {
      const req = netlifyRequest("deploy_created", created.payload, "netlify-current", claims);
      await expect(refusal(req), JSON.stringify(claims)).rejects.toMatchObject(badSignature);
    }
  });

  it("refuses missing headers by name, and an event that is not a name", async () => {
    const req = netlifyRequest("deploy_created", created.payload, "netlify-current");
    for (const [name, shown] of [
      ["x-webhook-signature", "X-Webhook-Signature"],
      ["x-netlify-event", "X-Netlify-Event"],
    ] as const) {
      await expect(refusal(req, { [name]: undefined })).rejects.toMatchObject({
        reason: "missing_header",
        message: `missing header ${shown}`,
      });
    }
    for (const event of ["Deploy_Created", "deploy-created", "x".repeat(65), "deploy created"]) {
      await expect(refusal(req, { "x-netlify-event": event }), event).rejects.toMatchObject({ reason: "malformed" });
    }
  });

  it("refuses a signed body that is not a JSON object (400) or a deploy without an id (422)", async () => {
    for (const body of ["{", "[]", "null", "1"]) {
      // A token naming this very body, whatever it holds.
      const { headers } = netlifyRequest("deploy_created", null, "netlify-current", { sha256: sha256(body) });
      await expect(refusal({ body, headers }), body).rejects.toMatchObject({ reason: "malformed" });
    }
    for (const deploy of [{}, { id: 5 }, { id: "" }]) {
      await expect(refusal(netlifyRequest("deploy_created", deploy, "netlify-previous"))).rejects.toMatchObject({
        reason: "invalid_body",
      });
    }
  });

  it("classifies: failed deploys critical, building and succeeded high, locks and unknown events normal", async () => {
    const expected: Record<string, string> = {
      deploy_building: "high",
      deploy_created: "high",
      deploy_failed: "critical",
      deploy_locked: "normal",
      deploy_unlocked: "normal",
    };
    expect(Object.keys(expected).sort()).toEqual(Object.keys(fixtures).sort());
    for (const [name, priority] of Object.entries(expected)) {
      const f = fixtures[name]!;
      const verdict = await accept(netlifyRequest(f.kind, f.payload, "netlify-current"));
      expect(verdict, name).toMatchObject({
        type: `netlify.${name}`,
        priority,
        deliveryId: `${f.payload.id}:${name}:${f.payload.updated_at}`,
      });
    }
    const restored = await accept(netlifyRequest("deploy_restored", created.payload, "netlify-current"));
    expect(restored).toMatchObject({ type: "netlify.deploy_restored", priority: "normal" });
  });
});
