import { createHash, createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { Webhook } from "standardwebhooks";
import { loadFixtures } from "./fixtures.js";
import { SECRETS } from "./service.js";
import { int, pick, prng, type Rand } from "../../kit/prng.js";
import { WEBHOOK_PLATFORMS } from "../../src/shared/event.js";

/** What test/e2e/fuzz-receivers.test.ts sends: seeded requests to every receiver, signed as each sender signs. */

/** Every platform with a receiver: a new sender is fuzzed as soon as it is registered. */
export const FUZZED = WEBHOOK_PLATFORMS;

// ---- bases: real payloads of each platform ----
type Examples = Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json") as Examples;
const githubBases = ["pull_request", "push", "issues", "issue_comment", "deployment_status", "ping", "release"].map(
  (name) => ({
    event: name,
    payload: examples.find((e) => e.name === name)!.examples[0]!,
  }),
);
const slackFixtures = Object.values(loadFixtures("slack"));
const linearFixtures = Object.values(loadFixtures("linear"));
const pagerdutyFixtures = Object.values(loadFixtures("pagerduty"));
const sentryFixtures = Object.values(loadFixtures("sentry"));
const [circleciFixtures, argocdFixtures, gitlabFixtures, vercelFixtures, netlifyFixtures] = (
  ["circleci", "argocd", "gitlab", "vercel", "netlify"] as const
).map((p) => Object.values(loadFixtures(p)));
const deployBase = {
  id: "d",
  repository: "acme/web",
  environment: "production",
  status: "succeeded",
  sha: "c".repeat(40),
};

// ---- what a mutation puts where a field was ----
const deep = (depth: number, leaf: unknown, asArray: boolean): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
};
const WEIRD: Array<(r: Rand) => unknown> = [
  () => ({}),
  () => JSON.parse('{"toString":1,"valueOf":{}}'), // String() of it throws
  () => JSON.parse('{"__proto__":{"polluted":true}}'),
  () => [],
  () => [[["message"]]],
  () => null,
  (r) => int(r, 2) === 0,
  (r) => pick(r, [0, -1, -0, 1e308, 2 ** 53 + 1, 0.5]),
  () => "",
  () => "\u0000",
  () => "\ud800 lone surrogate",
  (r) => "x".repeat(1000 + int(r, 200_000)),
  (r) => deep(200 + int(r, 3000), "leaf", int(r, 2) === 0),
  () => "💥 ünïcødé \u202e",
  () => "line\nbreak\r\n",
  () => "12345",
  () => "a".repeat(300), // longer than an id may be
  () => ({ type: { type: {} } }),
  () => "message",
];
const weird = (r: Rand): unknown => pick(r, WEIRD)(r);

/** Sets, deletes or adds a field somewhere in `value` (a random walk down from the top). */
function mutateTree(r: Rand, value: Record<string, unknown>): void {
  let node: Record<string, unknown> = value;
  for (;;) {
    const keys = Object.keys(node);
    if (!keys.length) break;
    const key = pick(r, keys);
    const child = node[key];
    if (child && typeof child === "object" && !Array.isArray(child) && r() < 0.6) {
      node = child as Record<string, unknown>;
      continue;
    }
    const roll = r();
    if (roll < 0.6) node[key] = weird(r);
    else if (roll < 0.85) delete node[key];
    else node[`fuzz_${int(r, 100)}`] = weird(r);
    return;
  }
  node[`fuzz_${int(r, 100)}`] = weird(r);
}

/** Fields each platform builds its id, type and priority from: mutated more often than the rest. */
const HOT: Record<string, string[][]> = {
  github: [
    ["action"],
    ["deployment_status"],
    ["deployment_status", "state"],
    ["pull_request"],
    ["pull_request", "merged"],
    ["repository"],
  ],
  slack: [["type"], ["event_id"], ["event"], ["event", "type"], ["event", "subtype"], ["type"], ["challenge"]],
  linear: [["type"], ["action"], ["data"], ["webhookTimestamp"]],
  deploy: [["status"], ["id"], ["sha"], ["repository"], ["started_at"]],
  pagerduty: [
    ["event"],
    ["event", "event_type"],
    ["event", "resource_type"],
    ["event", "data"],
    ["event", "occurred_at"],
  ],
  sentry: [["action"], ["data"], ["data", "issue"], ["data", "event"], ["data", "metric_alert"]],
  circleci: [["id"], ["type"], ["workflow"], ["workflow", "name"], ["workflow", "status"], ["pipeline"]],
  argocd: [["id"], ["phase"], ["health"], ["revision"], ["repoURL"], ["startedAt"]],
  gitlab: [["object_kind"], ["project"], ["object_attributes"], ["commits"], ["checkout_sha"], ["status"]],
  vercel: [["id"], ["type"], ["payload"], ["payload", "deployment"], ["payload", "target"], ["createdAt"]],
  netlify: [["id"], ["state"], ["commit_ref"], ["commit_url"], ["context"], ["created_at"]],
};
function mutateHot(r: Rand, platform: string, value: Record<string, unknown>): void {
  const path = pick(r, HOT[platform]!);
  let node = value;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== "object" || Array.isArray(next)) return;
    node = next as Record<string, unknown>;
  }
  node[path.at(-1)!] = r() < 0.8 ? weird(r) : undefined;
}

// ---- one request ----
export interface Planned {
  platform: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Sent over a raw socket and cut: no answer is owed. */
  cut?: "destroy" | "half-close";
}

const safeString = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));

/**
 * The fuzz's plan: request `i` of a run, from its seed alone (FUZZ_SEED reproduces a run); `run` names this run's
 * ids, so reruns against the same Redis are new, and its deploys have ranges of their own.
 */
export function planner(SEED: number, run: string): (i: number) => Planned {
  const repoUrl = `https://github.com/fuzz-${run}/web`; // CircleCI's, Argo CD's and Netlify's deploys
  return function plan(i: number): Planned {
    const r = prng(SEED * 1_000_003 + i);
    const platform = pick(r, FUZZED);
    const uid = `${run}-${i}`;
    let payload: Record<string, unknown>;
    let contentType = "application/json";
    let form: "payload" | "command" | undefined;
    const headers: Record<string, string> = {};
    if (platform === "github") {
      const base = pick(r, githubBases);
      payload = { ...structuredClone(base.payload), fuzz_nonce: uid };
      headers["x-github-event"] = base.event;
      headers["x-github-delivery"] = uid;
      if (r() < 0.15) form = "payload";
    } else if (platform === "slack") {
      const f = structuredClone(pick(r, slackFixtures));
      payload = f.payload;
      if (f.kind === "event") payload.event_id = `Ev${uid}`;
      if (f.kind === "interaction" || f.kind === "command") payload.trigger_id = uid;
      if (f.kind === "interaction") form = "payload";
      if (f.kind === "command") form = "command";
      // slack.test.ts looks for the fixture's challenge in stored bodies: a mutated one must not carry it.
      if (f.kind === "url_verification") payload.challenge = uid;
    } else if (platform === "linear") {
      payload = structuredClone(pick(r, linearFixtures).payload);
      (payload.data as Record<string, unknown>).id = uid;
      payload.webhookTimestamp = Date.now();
      headers["linear-delivery"] = uid;
      headers["linear-event"] = String(payload.type);
    } else if (platform === "pagerduty") {
      payload = { ...structuredClone(pick(r, pagerdutyFixtures).payload), fuzz_nonce: uid };
      headers["x-webhook-id"] = uid;
    } else if (platform === "sentry") {
      const f = pick(r, sentryFixtures);
      payload = { ...structuredClone(f.payload), fuzz_nonce: uid };
      headers["request-id"] = uid;
      headers["sentry-hook-resource"] = f.kind;
    } else if (platform === "circleci") {
      payload = { ...structuredClone(pick(r, circleciFixtures!).payload), id: uid };
      // Its own workflow, so its deploy is not the documented one other tests of the run's schema send.
      (payload.workflow as Record<string, unknown>).id = uid;
      const vcs = (payload.pipeline as { vcs?: Record<string, unknown> }).vcs;
      if (vcs) vcs.target_repository_url = vcs.origin_repository_url = repoUrl;
    } else if (platform === "argocd") {
      // Its own app: a deploy is the app's sync, which other tests of the run's schema send as documented.
      payload = { ...structuredClone(pick(r, argocdFixtures!).payload), id: uid, app: `fuzz-${uid}`, repoURL: repoUrl };
    } else if (platform === "gitlab") {
      const f = pick(r, gitlabFixtures!);
      // Its own project, so its merge requests and deploys are not the documented ones other tests send.
      payload = { ...structuredClone(f.payload), fuzz_nonce: uid };
      const project = payload.project as Record<string, unknown> | undefined;
      if (project) project.path_with_namespace = `fuzz-${run}/web`;
      headers["x-gitlab-event"] = f.kind;
      headers["idempotency-key"] = uid;
    } else if (platform === "vercel") {
      payload = { ...structuredClone(pick(r, vercelFixtures!).payload), id: uid };
      const deployment = (payload.payload as { deployment?: Record<string, unknown> }).deployment;
      if (deployment) {
        deployment.id = `dpl_${uid}`;
        deployment.meta = { githubCommitOrg: `fuzz-${run}`, githubCommitRepo: "web", githubCommitSha: "e".repeat(40) };
      }
    } else if (platform === "netlify") {
      const f = pick(r, netlifyFixtures!);
      payload = { ...structuredClone(f.payload), id: uid, commit_url: `${repoUrl}/commit/${"e".repeat(40)}` };
      headers["x-netlify-event"] = f.kind;
    } else {
      payload = { ...deployBase, id: uid, repository: `fuzz-${run}/web` }; // its own deploy ranges
    }

    const mutations = int(r, 4); // 0 to 3: some requests stay valid
    for (let m = 0; m < mutations; m++) {
      if (r() < 0.5) mutateHot(r, platform, payload);
      else mutateTree(r, payload);
    }

    let text: string;
    if (form === "command") {
      contentType = "application/x-www-form-urlencoded";
      text = new URLSearchParams(
        Object.entries(payload).map(([k, v]): [string, string] => [k, safeString(v)]),
      ).toString();
    } else if (form === "payload") {
      contentType = "application/x-www-form-urlencoded";
      text = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    } else {
      text = JSON.stringify(payload);
    }
    let body = Buffer.from(text);
    // Bodies that are not what the platform sends at all.
    if (r() < 0.12) {
      body = pick(r, [
        () => Buffer.from(text.slice(0, int(r, text.length))),
        () => Buffer.from(pick(r, ["[]", "1", '"s"', "null", "true", "", "{}", "[{}]"])),
        () => Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
        () => Buffer.concat([body.subarray(0, 10), Buffer.from([0]), body.subarray(10)]),
        () => Buffer.from(`${text}${"}".repeat(int(r, 5))}`),
      ])();
    }

    headers["content-type"] = contentType;
    sign(platform, headers, body, uid, r() < 0.93);

    // Headers that are not what the platform sends.
    if (r() < 0.2) {
      const names = Object.keys(headers);
      const name = pick(r, names);
      const roll = int(r, 7);
      if (roll === 0) delete headers[name];
      else if (roll === 1) headers[name] = "h".repeat(3000);
      else if (roll === 2)
        headers[name] = "h".repeat(20_000); // over Node's 16 KiB: 431
      else if (roll === 3) headers[name] = "\u00e9\u00ff\tlatin1";
      else if (roll === 4)
        headers["content-type"] = pick(r, [
          "text/plain",
          "",
          "application/json; charset=utf-8",
          "APPLICATION/JSON",
          "multipart/form-data; boundary=x",
        ]);
      else if (roll === 5) headers[name] = pick(r, ["0", "-1", "NaN", "1e400", "v0=", "sha256=", "v1,", " "]);
      else headers[name] = `${headers[name]}, ${headers[name]}`;
    }
    const cut = r() < 0.04 ? pick(r, ["destroy", "half-close"] as const) : undefined;
    return { platform, headers, body, cut };
  };
}

/** Signs as the platform does (over the bytes), or with a wrong secret. */
function sign(platform: string, headers: Record<string, string>, body: Buffer, uid: string, right: boolean) {
  const pickSecret = (s: string[]) => (right ? s[0]! : `${s[0]}-wrong`);
  const ts = Math.floor(Date.now() / 1000);
  if (platform === "github") {
    headers["x-hub-signature-256"] =
      `sha256=${createHmac("sha256", pickSecret(SECRETS.github)).update(body).digest("hex")}`;
  } else if (platform === "linear") {
    headers["linear-signature"] = createHmac("sha256", pickSecret(SECRETS.linear)).update(body).digest("hex");
  } else if (platform === "pagerduty") {
    const hex = (secret: string) => createHmac("sha256", secret).update(body).digest("hex");
    headers["x-pagerduty-signature"] =
      `v1=${hex(`${SECRETS.pagerduty[0]}-other`)},v1=${hex(pickSecret(SECRETS.pagerduty))}`;
  } else if (platform === "sentry") {
    headers["sentry-hook-signature"] = createHmac("sha256", pickSecret(SECRETS.sentry)).update(body).digest("hex");
    headers["sentry-hook-timestamp"] = String(ts);
  } else if (platform === "circleci") {
    const hex = (secret: string) => createHmac("sha256", secret).update(body).digest("hex");
    headers["circleci-signature"] = `v1=${hex(pickSecret(SECRETS.circleci))},v1=${hex(`${SECRETS.circleci[0]}-other`)}`;
  } else if (platform === "argocd") {
    headers.authorization = `Bearer ${pickSecret(SECRETS.argocd)}`;
  } else if (platform === "gitlab") {
    headers["x-gitlab-token"] = pickSecret(SECRETS.gitlab);
  } else if (platform === "vercel") {
    headers["x-vercel-signature"] = createHmac("sha1", pickSecret(SECRETS.vercel)).update(body).digest("hex");
  } else if (platform === "netlify") {
    // Netlify's JWS: HS256 over the claims naming the body's SHA-256.
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const sha256 = createHash("sha256").update(body).digest("hex");
    const signing = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iss: "netlify", sha256 })}`;
    const mac = createHmac("sha256", pickSecret(SECRETS.netlify)).update(signing).digest("base64url");
    headers["x-webhook-signature"] = `${signing}.${mac}`;
  } else if (platform === "slack") {
    const hmac = createHmac("sha256", pickSecret(SECRETS.slack)).update(`v0:${ts}:`).update(body);
    headers["x-slack-signature"] = `v0=${hmac.digest("hex")}`;
    headers["x-slack-request-timestamp"] = String(ts);
  } else {
    const secret = right ? SECRETS.deploy[0]! : SECRETS.deploy[1]!.replace(/^whsec_./, "whsec_A");
    const id = `msg_${uid}`;
    headers["webhook-id"] = id;
    headers["webhook-timestamp"] = String(ts);
    headers["webhook-signature"] = new Webhook(secret).sign(id, new Date(ts * 1000), body.toString("utf8"));
  }
}
