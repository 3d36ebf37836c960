import { describe, expect, it } from "vitest";
import { argocdReceiver } from "../../../src/platforms/argocd/receiver.js";
import { argocdStatus } from "../../../src/platforms/argocd/classify.js";
import { presentedSecret } from "../../../src/platforms/argocd/credential.js";
import type { Accepted } from "../../../src/platforms/platform.js";
import { argocdRequest } from "../../../kit/sign.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { rawRequest } from "../../helpers/raw-request.js";

const fixtures = loadFixtures("argocd");
const SECRETS = ["argo-current", "argo-previous"];
const receiver = argocdReceiver(SECRETS);
const deployed = fixtures.deployed!.payload;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

const accept = async (...args: Parameters<typeof rawRequest>) =>
  (await receiver.accept(rawRequest(...args))) as Accepted;
const refusal = (...args: Parameters<typeof rawRequest>) => receiver.accept(rawRequest(...args));

describe("argocdReceiver", () => {
  it("accepts a bearer token or a Basic password that is a configured secret (rotation)", async () => {
    for (const [secret, auth] of [
      ["argo-current", "bearer"],
      ["argo-previous", "bearer"],
      ["argo-current", "basic"],
      ["argo-previous", "basic"],
    ] as const) {
      expect(await accept(argocdRequest(deployed, secret, auth)), `${secret} ${auth}`).toMatchObject({
        deliveryId: deployed.id,
        type: "argocd.deploy.succeeded",
        priority: "high",
      });
    }
    // Any user name; a password holding a colon is the whole rest.
    const colon = argocdReceiver(["pa:ss"]);
    const req = argocdRequest(deployed, "x");
    expect(await colon.accept(rawRequest(req, { authorization: basic("anyone", "pa:ss") }))).toMatchObject({
      deliveryId: deployed.id,
    });
  });

  it("refuses unknown credentials, other schemes and a secret as a Basic user name", async () => {
    const req = argocdRequest(deployed, "argo-current");
    for (const authorization of [
      "Bearer wrong",
      "Bearer argo-current-and-more",
      "Bearer argo-curren",
      "Bearer ",
      "Token argo-current",
      "argo-current",
      basic("argo-current", "wrong"),
      basic("argo-current", ""),
      `Basic ${Buffer.from("argo-current").toString("base64")}`,
    ]) {
      await expect(refusal(req, { authorization }), authorization).rejects.toMatchObject({
        reason: "bad_signature",
        message: "credentials do not match",
      });
    }
  });

  it("refuses a missing Authorization header with its name", async () => {
    await expect(refusal(argocdRequest(deployed, "argo-current"), { authorization: undefined })).rejects.toMatchObject({
      reason: "missing_header",
      message: "missing header Authorization",
    });
  });

  it("refuses a body that is not JSON (400) or off the template's shape (422 naming the fields)", async () => {
    const headers = { authorization: "Bearer argo-current" };
    for (const body of ["{", "[]", "null"]) {
      await expect(refusal({ body, headers }), body).rejects.toMatchObject({ reason: "malformed" });
    }
    const bad = { ...deployed, id: "", phase: "Done", startedAt: "yesterday", app: undefined };
    const err = (await refusal(argocdRequest(bad, "argo-current")).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ reason: "invalid_body" });
    for (const field of ["id", "app", "phase", "startedAt"]) expect(err.message).toContain(`${field}:`);
    expect(err.message).not.toContain("argo-current");
  });

  it("reads `<no value>` and empty strings as absent", async () => {
    const running = fixtures.sync_running!.payload;
    expect(running.finishedAt).toBe("<no value>");
    expect(await accept(argocdRequest(running, "argo-current"))).toMatchObject({ type: "argocd.deploy.started" });
    const sparse = { ...deployed, project: "", health: "<no value>", url: "<no value>/applications/guestbook" };
    expect(await accept(argocdRequest(sparse, "argo-current"))).toMatchObject({ type: "argocd.deploy.started" });
  });

  it("classifies the four documented triggers' notifications", async () => {
    const expected: Record<string, [string, string]> = {
      sync_running: ["argocd.deploy.started", "high"],
      deployed: ["argocd.deploy.succeeded", "high"],
      sync_failed: ["argocd.deploy.failed", "critical"],
      health_degraded: ["argocd.deploy.failed", "critical"],
    };
    for (const [name, [type, priority]] of Object.entries(expected)) {
      expect(await accept(argocdRequest(fixtures[name]!.payload, "argo-current")), name).toMatchObject({
        deliveryId: fixtures[name]!.payload.id,
        type,
        priority,
      });
    }
  });

  it("keeps no Authorization header and remembers no signature (dedupe by the body's id)", () => {
    expect(receiver.keepHeaders ?? []).not.toContain("authorization");
    expect(receiver.replaySignatureHeader).toBeUndefined();
  });
});

describe("argocdStatus", () => {
  it("maps phase and health", () => {
    const cases: Array<[string, string | undefined, string]> = [
      ["Running", "Progressing", "started"],
      ["Running", "Degraded", "started"],
      ["Terminating", undefined, "cancelled"],
      ["Failed", "Healthy", "failed"],
      ["Error", undefined, "failed"],
      ["Succeeded", "Healthy", "succeeded"],
      ["Succeeded", "Degraded", "failed"],
      ["Succeeded", "Progressing", "started"],
      ["Succeeded", "Suspended", "started"],
      ["Succeeded", undefined, "started"],
    ];
    for (const [phase, health, status] of cases) {
      expect(argocdStatus({ phase: phase as never, health }), `${phase}/${health}`).toBe(status);
    }
  });
});

describe("presentedSecret", () => {
  it("reads Bearer and Basic, nothing else", () => {
    expect(presentedSecret("Bearer abc")).toBe("abc");
    expect(presentedSecret("bearer abc")).toBe("abc");
    expect(presentedSecret(basic("u", "p:w"))).toBe("p:w");
    expect(presentedSecret("Bearer a b")).toBeNull();
    expect(presentedSecret("Basic !!")).toBeNull();
    expect(presentedSecret("Digest x")).toBeNull();
  });
});
