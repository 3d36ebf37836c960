/** Requests signed exactly as each sender signs them: used by the demo, the benchmark and the tests. */
import { createHash, createHmac, randomUUID } from "node:crypto";
import { sign as githubSign } from "@octokit/webhooks-methods";
import { Webhook } from "standardwebhooks";

/**
 * Hex HMAC-SHA256 of a body (Linear, PagerDuty, Sentry). Written here rather than taken from the
 * service's verifiers (src/platforms/hmac-hex.ts), so a fault there cannot sign and verify alike.
 */
const hexHmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");
/** `v1=<hex HMAC-SHA256>` per secret, comma-separated (PagerDuty's and CircleCI's signature headers). */
const v1List = (secrets: string | string[], body: string) =>
  [secrets]
    .flat()
    .map((secret) => `v1=${hexHmac(secret, body)}`)
    .join(",");

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

export async function githubRequest(
  event: string,
  payload: unknown,
  secret: string,
  deliveryId: string = randomUUID(),
): Promise<SignedRequest> {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": await githubSign(secret, body),
      "user-agent": "GitHub-Hookshot/test",
    },
  };
}

export function slackRequest(
  body: string,
  contentType: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): SignedRequest {
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return {
    body,
    headers: {
      "content-type": contentType,
      "x-slack-signature": signature,
      "x-slack-request-timestamp": String(timestamp),
    },
  };
}

/** Encodes a Slack fixture the way Slack posts it. */
export function slackBody(fixture: { kind: string; payload: Record<string, unknown> }): {
  body: string;
  contentType: string;
} {
  switch (fixture.kind) {
    case "interaction":
      return {
        body: new URLSearchParams({ payload: JSON.stringify(fixture.payload) }).toString(),
        contentType: "application/x-www-form-urlencoded",
      };
    case "command":
      return {
        body: new URLSearchParams(fixture.payload as Record<string, string>).toString(),
        contentType: "application/x-www-form-urlencoded",
      };
    default:
      return { body: JSON.stringify(fixture.payload), contentType: "application/json" };
  }
}

export function linearRequest(
  payload: Record<string, unknown>,
  secret: string,
  deliveryId: string = randomUUID(),
  timestamp = Date.now(),
): SignedRequest {
  const body = JSON.stringify({ ...payload, webhookTimestamp: timestamp });
  return {
    body,
    headers: {
      "content-type": "application/json",
      "linear-signature": hexHmac(secret, body),
      "linear-delivery": deliveryId,
      "linear-event": String(payload.type),
    },
  };
}

export function deployRequest(
  payload: unknown,
  secret: string,
  id = `msg_${randomUUID()}`,
  at = new Date(),
): SignedRequest {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": new Webhook(secret).sign(id, at, body),
    },
  };
}

/** PagerDuty v3: one `v1=` HMAC per secret (two while PagerDuty rotates), comma-separated. */
export function pagerdutyRequest(
  payload: unknown,
  secrets: string | string[],
  webhookId: string = randomUUID(),
): SignedRequest {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-pagerduty-signature": v1List(secrets, body),
      "x-webhook-id": webhookId,
      "user-agent": "PagerDuty-Webhook/V3.0",
    },
  };
}

/** Sentry integration webhooks: the resource in a header, the body signed with the Client Secret. */
export function sentryRequest(
  resource: string,
  payload: unknown,
  secret: string,
  requestId: string = randomUUID(),
  timestamp = Math.floor(Date.now() / 1000),
): SignedRequest {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "request-id": requestId,
      "sentry-hook-resource": resource,
      "sentry-hook-timestamp": String(timestamp),
      "sentry-hook-signature": hexHmac(secret, body),
    },
  };
}

/** Vercel: the envelope signed as a whole, hex HMAC-SHA1 with the webhook secret (an integration's Client Secret). */
export function vercelRequest(envelope: unknown, secret: string): SignedRequest {
  const body = JSON.stringify(envelope);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-vercel-signature": createHmac("sha1", secret).update(body).digest("hex"),
    },
  };
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/**
 * Netlify deploy notifications with a JWS secret token: an HS256 JWT `{iss: "netlify", sha256: <hex SHA-256
 * of the body>}`, made by hand here (not with the `jose` the service verifies with). `claims` overrides
 * the claims, for tests of a wrong issuer or body hash.
 */
export function netlifyRequest(
  event: string,
  deploy: unknown,
  secret: string,
  claims: Record<string, unknown> = {},
): SignedRequest {
  const body = JSON.stringify(deploy);
  const sha256 = createHash("sha256").update(body).digest("hex");
  const signing = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(
    JSON.stringify({ iss: "netlify", sha256, ...claims }),
  )}`;
  const jws = `${signing}.${createHmac("sha256", secret).update(signing).digest("base64url")}`;
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-netlify-event": event,
      "x-webhook-signature": jws,
      "user-agent": "Netlify",
    },
  };
}

/**
 * GitLab: `X-Gitlab-Event` and `Idempotency-Key` (the same on GitLab's retries), with a secret token
 * (`X-Gitlab-Token`) and/or a signing token (`whsec_…`: Standard Webhooks `webhook-*` headers, `webhook-id`
 * equal to the Idempotency-Key as GitLab sends it).
 */
export function gitlabRequest(
  event: string,
  payload: unknown,
  auth: { token?: string; signingToken?: string },
  id: string = randomUUID(),
  at = new Date(),
): SignedRequest {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-gitlab-event": event,
    "x-gitlab-event-uuid": randomUUID(),
    "idempotency-key": id,
  };
  if (auth.token !== undefined) headers["x-gitlab-token"] = auth.token;
  if (auth.signingToken !== undefined) {
    headers["webhook-id"] = id;
    headers["webhook-timestamp"] = String(Math.floor(at.getTime() / 1000));
    headers["webhook-signature"] = new Webhook(auth.signingToken).sign(id, at, body);
  }
  return { body, headers };
}

export async function post(url: string, req: SignedRequest) {
  const res = await fetch(url, { method: "POST", headers: req.headers, body: req.body });
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read answers loosely
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** CircleCI outbound webhooks: `v1=` HMAC of the body per secret, comma-separated; the event type in a header. */
export function circleciRequest(payload: Record<string, unknown>, secrets: string | string[]): SignedRequest {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "circleci-event-type": String(payload.type),
      "circleci-signature": v1List(secrets, body),
      "user-agent": "CircleCI-Webhook/1.0",
    },
  };
}

/**
 * Argo CD notifications' webhook service: the body our template renders, the secret as a bearer token or
 * as the password of Basic auth (docs/senders/argocd.md).
 */
export function argocdRequest(
  payload: Record<string, unknown>,
  secret: string,
  auth: "bearer" | "basic" = "bearer",
): SignedRequest {
  const authorization =
    auth === "bearer" ? `Bearer ${secret}` : `Basic ${Buffer.from(`argocd:${secret}`, "utf8").toString("base64")}`;
  return {
    body: JSON.stringify(payload),
    headers: { "content-type": "application/json", authorization, "user-agent": "Go-http-client/1.1" },
  };
}
