import { describe, expect, it } from "vitest";
import { RECEIVER_MODULES } from "../../src/platforms/registry.js";
import { keptHeaders } from "../../src/receive/kept-headers.js";
import { WEBHOOK_PLATFORMS } from "../../src/shared/event.js";
import { loadConfig } from "../../src/shared/config.js";

const config = loadConfig({});

/** What a request may carry: each platform's own headers, signatures and credentials, proxy noise. */
const request: Record<string, string | string[]> = {
  "content-type": "application/json",
  "user-agent": "GitHub-Hookshot/abc",
  "x-github-event": "push",
  "x-github-delivery": "d-1",
  "x-github-hook-id": "42",
  "x-github-hook-installation-target-id": "7",
  "x-github-hook-installation-target-type": "repository",
  "x-hub-signature": "sha1=abc",
  "x-hub-signature-256": "sha256=abc",
  "x-slack-signature": "v0=abc",
  "x-slack-request-timestamp": "1700000000",
  "x-slack-retry-num": "1",
  "x-slack-retry-reason": "http_timeout",
  "linear-signature": "abc",
  "linear-delivery": "l-1",
  "linear-event": "Issue",
  "webhook-id": "msg_1",
  "webhook-timestamp": "1700000000",
  "webhook-signature": "v1,abc",
  authorization: "Bearer secret",
  "proxy-authorization": "Basic secret",
  cookie: "session=secret",
  "x-api-key": "secret",
  "x-gitlab-token": "secret",
  "x-vercel-signature": "abc",
  "x-webhook-signature": "abc",
  "circleci-signature": "v1=abc",
  "circleci-event-type": "workflow-completed",
  "x-forwarded-for": "10.0.0.1",
  "set-cookie": ["a=1", "b=2"],
};

const SECRET_OR_SIGNATURE = /signature|authorization|cookie|token|api-key|secret/;

describe("headers stored with a raw delivery", () => {
  it.each(WEBHOOK_PLATFORMS)("%s keeps no signature and no credential", (platform) => {
    const receiver = RECEIVER_MODULES[platform].receiver(
      platform === "deploy" ? ["whsec_c2VjcmV0"] : ["secret"],
      config,
    );
    const kept = keptHeaders(request, receiver.keepHeaders);
    for (const name of Object.keys(kept)) expect(name).not.toMatch(SECRET_OR_SIGNATURE);
    for (const value of Object.values(kept)) expect(value).not.toContain("secret");
    // An allow-list: what no platform names (proxy headers) is not kept either.
    expect(kept).not.toHaveProperty("x-forwarded-for");
    expect(kept).toMatchObject({ "content-type": "application/json", "user-agent": "GitHub-Hookshot/abc" });
  });

  it("keeps what each platform's events and retries are read by", () => {
    const kept = (p: keyof typeof RECEIVER_MODULES) =>
      keptHeaders(
        request,
        RECEIVER_MODULES[p].receiver(p === "deploy" ? ["whsec_c2VjcmV0"] : ["s"], config).keepHeaders,
      );
    expect(kept("github")).toMatchObject({
      "x-github-event": "push",
      "x-github-delivery": "d-1",
      "x-github-hook-id": "42",
      "x-github-hook-installation-target-id": "7",
      "x-github-hook-installation-target-type": "repository",
    });
    expect(kept("slack")).toMatchObject({ "x-slack-request-timestamp": "1700000000", "x-slack-retry-num": "1" });
    expect(kept("slack")).not.toHaveProperty("x-github-event");
    expect(kept("linear")).toMatchObject({ "linear-delivery": "l-1", "linear-event": "Issue" });
    expect(kept("deploy")).toMatchObject({ "webhook-id": "msg_1", "webhook-timestamp": "1700000000" });
    expect(kept("circleci")).toMatchObject({ "circleci-event-type": "workflow-completed" });
  });

  it("never keeps a signature or credential even if a platform lists one", () => {
    const kept = keptHeaders(request, ["x-hub-signature-256", "webhook-signature", "authorization", "cookie"]);
    expect(Object.keys(kept).sort()).toEqual(["content-type", "user-agent"]);
  });
});
