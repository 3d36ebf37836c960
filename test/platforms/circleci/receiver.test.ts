import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { circleciReceiver } from "../../../src/platforms/circleci/receiver.js";
import { parseDeployWorkflows } from "../../../src/platforms/circleci/deploy-workflows.js";
import type { Accepted } from "../../../src/platforms/platform.js";
import { circleciRequest } from "../../../kit/sign.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { rawRequest } from "../../helpers/raw-request.js";

const fixtures = loadFixtures("circleci");
const SECRETS = ["cci-current", "cci-previous"];
const receiver = circleciReceiver(SECRETS, parseDeployWorkflows("deploy-staging=staging,*deploy*"));
const workflow = fixtures.workflow_completed_github!.payload;
const v1 = (secret: string, body: string) => `v1=${createHmac("sha256", secret).update(body).digest("hex")}`;

const accept = async (...args: Parameters<typeof rawRequest>) =>
  (await receiver.accept(rawRequest(...args))) as Accepted;
const refusal = (...args: Parameters<typeof rawRequest>) => receiver.accept(rawRequest(...args));

describe("circleciReceiver", () => {
  it("accepts the documented workflow-completed, named by the body's id, a deploy by its workflow name", async () => {
    expect(await accept(circleciRequest(workflow, "cci-current"))).toMatchObject({
      deliveryId: "3888f21b-eaa7-38e3-8f3d-75a63bba8895",
      type: "circleci.workflow-completed.deploy.production",
      priority: "high",
    });
  });

  it("accepts the other configured secret and a list where any v1 signature matches (rotation)", async () => {
    expect(await accept(circleciRequest(workflow, "cci-previous"))).toMatchObject({ priority: "high" });
    const req = circleciRequest(workflow, ["someone-elses", "cci-previous"]);
    expect(req.headers["circleci-signature"]).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(await accept(req)).toMatchObject({ deliveryId: workflow.id });
    const spaced = req.headers["circleci-signature"]!.replace(",", ", ");
    expect(await accept(req, { "circleci-signature": spaced })).toMatchObject({ deliveryId: workflow.id });
  });

  it("names the signed body the same however the signature list is spelled (replay)", async () => {
    expect(receiver.replaySignatureHeader).toBe("circleci-signature");
    const both = circleciRequest(workflow, ["cci-current", "cci-previous"]);
    const [first, second] = both.headers["circleci-signature"]!.split(",");
    const keys = await Promise.all(
      [`${first},${second}`, `${second},${first}`, second!].map((s) => accept(both, { "circleci-signature": s })),
    );
    expect(new Set(keys.map((k) => k.replaySignature)).size).toBe(1);
    expect(keys[0]!.replaySignature).toBe(v1("cci-current", both.body).slice(3));
  });

  it("refuses a tampered body, an unknown secret and other signature versions", async () => {
    const req = circleciRequest(workflow, "cci-current");
    await expect(refusal({ ...req, body: req.body.replace("success", "failed") })).rejects.toMatchObject({
      reason: "bad_signature",
    });
    await expect(refusal(circleciRequest(workflow, ["wrong", "also-wrong"]))).rejects.toMatchObject({
      reason: "bad_signature",
    });
    const sig = req.headers["circleci-signature"]!;
    for (const spelled of [sig.replace("v1=", "v0="), sig.slice(3), sig.toUpperCase().replace("V1=", "v1="), "v1="]) {
      await expect(refusal(req, { "circleci-signature": spelled }), spelled).rejects.toMatchObject({
        reason: "bad_signature",
      });
    }
  });

  it("refuses a missing signature with the header's name", async () => {
    await expect(
      refusal(circleciRequest(workflow, "cci-current"), { "circleci-signature": undefined }),
    ).rejects.toMatchObject({ reason: "missing_header", message: "missing header circleci-signature" });
  });

  it("refuses a signed body that is not a JSON object (400) or has no usable id (422)", async () => {
    for (const body of ["{", "[1]", "null"]) {
      await expect(
        refusal({ body, headers: { "circleci-signature": v1("cci-current", body) } }),
        body,
      ).rejects.toMatchObject({ reason: "malformed" });
    }
    for (const id of [undefined, "", 7, "x".repeat(201)]) {
      await expect(refusal(circleciRequest({ ...workflow, id }, "cci-current")), String(id)).rejects.toMatchObject({
        reason: "invalid_body",
        message: expect.stringMatching(/^invalid CircleCI body: id/),
      });
    }
  });

  it("classifies: deploys by workflow name (first match), other workflows normal, jobs low, failed deploys critical", async () => {
    const as = (over: Record<string, unknown>) =>
      accept(circleciRequest({ ...workflow, workflow: { ...workflow.workflow, ...over } }, "cci-current"));
    expect(await as({ name: "deploy-staging" })).toMatchObject({
      type: "circleci.workflow-completed.deploy.staging",
      priority: "high",
    });
    expect(await as({ status: "failed" })).toMatchObject({ priority: "critical" });
    expect(await as({ status: "error" })).toMatchObject({ priority: "critical" });
    expect(await as({ status: "canceled" })).toMatchObject({ priority: "high" });
    expect(await as({ name: "build-test" })).toMatchObject({ type: "circleci.workflow-completed", priority: "normal" });
    expect(await as({ name: 42 })).toMatchObject({ type: "circleci.workflow-completed" });
    // The GitLab sample's workflow is `build`: not a deploy.
    expect(await accept(circleciRequest(fixtures.workflow_completed_gitlab!.payload, "cci-current"))).toMatchObject({
      type: "circleci.workflow-completed",
      priority: "normal",
    });
    // A job of a deploy-named workflow is a job, not a deploy.
    const job = fixtures.job_completed_github!.payload;
    const deployJob = { ...job, workflow: { ...job.workflow, name: "deploy" } };
    expect(await accept(circleciRequest(deployJob, "cci-current"))).toMatchObject({
      type: "circleci.job-completed",
      priority: "low",
    });
    expect(await accept(circleciRequest({ ...workflow, type: "ping pong" }, "cci-current"))).toMatchObject({
      type: "circleci.unknown",
    });
  });

  it("keeps no signature among the stored headers", () => {
    expect(receiver.keepHeaders).toEqual(["circleci-event-type"]);
  });
});
