import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Accepted } from "../../../src/platforms/platform.js";
import { gitlabReceiver } from "../../../src/platforms/gitlab/receiver.js";
import { gitlabRequest } from "../../../kit/sign.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { rawRequest } from "../../helpers/raw-request.js";

const fixtures = loadFixtures("gitlab");
const whsec = (s: string) => `whsec_${Buffer.from(s).toString("base64")}`;
const SIGNING = [whsec("gitlab-signing-current-32-bytes!"), whsec("gitlab-signing-previous-32-byte!")];
const TOKENS = ["gitlab-token-current", "gitlab-token-previous"];
const receiver = gitlabReceiver([...TOKENS, ...SIGNING]);
const merge = fixtures.merge_request_merge!;

const accept = async (...args: Parameters<typeof rawRequest>) =>
  (await receiver.accept(rawRequest(...args))) as Accepted;
const refusal = (...args: Parameters<typeof rawRequest>) => receiver.accept(rawRequest(...args));
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe("gitlabReceiver: the secret token", () => {
  it("accepts X-Gitlab-Token equal to a configured token, named by Idempotency-Key, remembering the body", async () => {
    const req = gitlabRequest("Merge Request Hook", merge.payload, { token: TOKENS[0] }, "idem-1");
    const verdict = await accept(req);
    expect(verdict).toMatchObject({ deliveryId: "idem-1", type: "gitlab.merge_request.merge", priority: "high" });
    // The token covers nothing: the body's hash is the replay key.
    expect(verdict.replaySignature).toBe(sha256(req.body));
  });

  it("accepts every configured token (rotation), and refuses another, a padded or a truncated one", async () => {
    await expect(
      accept(gitlabRequest("Push Hook", fixtures.push!.payload, { token: TOKENS[1] })),
    ).resolves.toMatchObject({ type: "gitlab.push" });
    for (const token of ["wrong", `${TOKENS[0]} `, TOKENS[0]!.slice(1), "", SIGNING[0]!]) {
      await expect(refusal(gitlabRequest("Push Hook", fixtures.push!.payload, { token })), token).rejects.toMatchObject(
        {
          reason: "bad_signature",
        },
      );
    }
  });

  it("refuses what has neither a token nor a signature, and names a missing event or delivery id", async () => {
    const req = gitlabRequest("Push Hook", fixtures.push!.payload, { token: TOKENS[0] });
    await expect(refusal(req, { "x-gitlab-token": undefined })).rejects.toMatchObject({
      reason: "missing_header",
      message: "missing header X-Gitlab-Token",
    });
    await expect(refusal(req, { "x-gitlab-event": undefined })).rejects.toMatchObject({
      reason: "missing_header",
      message: "missing header X-Gitlab-Event",
    });
    await expect(refusal(req, { "x-gitlab-event": "push" })).rejects.toMatchObject({ reason: "malformed" });
    await expect(
      refusal(req, { "idempotency-key": undefined, "x-gitlab-event-uuid": undefined }),
    ).rejects.toMatchObject({ reason: "missing_header", message: "missing header Idempotency-Key" });
  });

  it("without Idempotency-Key, names the delivery by X-Gitlab-Event-UUID and the body", async () => {
    const push = gitlabRequest("Push Hook", fixtures.push!.payload, { token: TOKENS[0] });
    const tag = gitlabRequest("Tag Push Hook", fixtures.tag_push!.payload, { token: TOKENS[0] });
    const a = await accept(push, { "idempotency-key": undefined, "x-gitlab-event-uuid": "uuid-1" });
    const b = await accept(tag, { "idempotency-key": undefined, "x-gitlab-event-uuid": "uuid-1" });
    expect(a.deliveryId).toMatch(/^uuid-1:[0-9a-f]{32}$/);
    expect(b.deliveryId).not.toBe(a.deliveryId); // one request's hooks share the UUID
    expect((await accept(push, { "idempotency-key": undefined, "x-gitlab-event-uuid": "uuid-1" })).deliveryId).toBe(
      a.deliveryId,
    );
  });

  it("refuses a body that is not a JSON object once verified", async () => {
    const req = gitlabRequest("Push Hook", [], { token: TOKENS[0] });
    await expect(refusal(req)).rejects.toMatchObject({ reason: "malformed" });
  });
});

describe("gitlabReceiver: the signing token (Standard Webhooks)", () => {
  it("accepts a signature under either signing token, without a body replay key", async () => {
    for (const signingToken of SIGNING) {
      const verdict = await accept(
        gitlabRequest("Deployment Hook", fixtures.deployment_success!.payload, { signingToken }, "idem-2"),
      );
      expect(verdict).toMatchObject({ deliveryId: "idem-2", type: "gitlab.deployment.success", priority: "high" });
      expect(verdict.replaySignature).toBeUndefined();
    }
  });

  it("names a signed delivery by its signed webhook-id: a changed Idempotency-Key posts nothing new", async () => {
    const req = gitlabRequest(
      "Deployment Hook",
      fixtures.deployment_success!.payload,
      { signingToken: SIGNING[0] },
      "idem-3",
    );
    expect((await accept(req, { "idempotency-key": "someone-elses-key" })).deliveryId).toBe("idem-3");
  });

  it("refuses a tampered body, another key, a partial set of headers and an expired timestamp", async () => {
    const req = gitlabRequest("Deployment Hook", fixtures.deployment_success!.payload, { signingToken: SIGNING[0] });
    await expect(refusal({ ...req, body: req.body.replace("success", "failed") })).rejects.toMatchObject({
      reason: "bad_signature",
    });
    const other = gitlabRequest("Deployment Hook", fixtures.deployment_success!.payload, {
      signingToken: whsec("someone-else-signing-key-32bytes!"),
    });
    await expect(refusal(other)).rejects.toMatchObject({ reason: "bad_signature" });
    await expect(refusal(req, { "webhook-timestamp": undefined })).rejects.toMatchObject({
      reason: "missing_header",
      message: "missing header webhook-timestamp",
    });
    const old = gitlabRequest(
      "Deployment Hook",
      fixtures.deployment_success!.payload,
      { signingToken: SIGNING[0] },
      "idem-3",
      new Date(Date.now() - 10 * 60_000),
    );
    await expect(refusal(old)).rejects.toMatchObject({ reason: "expired" });
  });

  it("a request must pass every scheme it presents", async () => {
    const both = gitlabRequest("Push Hook", fixtures.push!.payload, { token: TOKENS[0], signingToken: SIGNING[1] });
    await expect(accept(both)).resolves.toMatchObject({ type: "gitlab.push" });
    await expect(refusal(both, { "x-gitlab-token": "wrong" })).rejects.toMatchObject({ reason: "bad_signature" });
    const badSig = gitlabRequest("Push Hook", fixtures.push!.payload, {
      token: TOKENS[0],
      signingToken: whsec("someone-else-signing-key-32bytes!"),
    });
    await expect(refusal(badSig)).rejects.toMatchObject({ reason: "bad_signature" });
  });

  it("a scheme with no configured secret of its kind refuses", async () => {
    const tokensOnly = gitlabReceiver(TOKENS);
    const signed = gitlabRequest("Push Hook", fixtures.push!.payload, { signingToken: SIGNING[0] });
    await expect(tokensOnly.accept(rawRequest(signed))).rejects.toMatchObject({ reason: "bad_signature" });
    const signingOnly = gitlabReceiver(SIGNING);
    const token = gitlabRequest("Push Hook", fixtures.push!.payload, { token: SIGNING[0] });
    await expect(signingOnly.accept(rawRequest(token))).rejects.toMatchObject({ reason: "bad_signature" });
  });
});
