import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { sign } from "@octokit/webhooks-methods";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS, startTestService, useTestPrisma, useTestService, waitFor } from "../helpers/service.js";
import { deployRequest, githubRequest, linearRequest, post, slackRequest, type SignedRequest } from "../../kit/sign.js";

const LIMITS = { github: 8192, linear: 6144, slack: 2048, deploy: 3072 };
const ctx = useTestService({
  WEBHOOK_MAX_BYTES_GITHUB: String(LIMITS.github),
  WEBHOOK_MAX_BYTES_LINEAR: String(LIMITS.linear),
  WEBHOOK_MAX_BYTES_SLACK: String(LIMITS.slack),
  WEBHOOK_MAX_BYTES_DEPLOY: String(LIMITS.deploy),
  WEBHOOK_MAX_INFLIGHT_BYTES: "12000",
});
const prisma = useTestPrisma();
const port = () => new URL(ctx.url).port;
const send = (platform: string, req: SignedRequest) => post(`${ctx.url}/webhooks/${platform}`, req);
const ping = (zen = randomUUID()) => ({
  zen,
  hook_id: 1,
  repository: { full_name: "acme/web" },
  sender: { login: "o" },
});
const linearIssue = () => ({
  action: "create",
  type: "Issue",
  data: { id: randomUUID(), identifier: "ENG-7", number: 7, title: "t", team: { key: "ENG" } },
});

/** A raw HTTP/1.1 exchange: what the client sends is up to the test; the answer is parsed once read. */
function rawConnection(p: string | number) {
  const socket = connect(Number(p), "127.0.0.1");
  socket.on("error", () => undefined); // a reset after the answer is expected in some tests
  let data = "";
  socket.on("data", (d: Buffer) => (data += d.toString("latin1")));
  const closed = once(socket, "close").then(() => true);
  return {
    socket,
    /** Resolves true once the server has closed the connection, false after `ms`. */
    closedWithin: (ms: number) => Promise.race([closed, sleep(ms).then(() => false)]),
    received: () => data.length > 0,
    answer() {
      const [head = "", ...rest] = data.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      return { status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") };
    },
  };
}

const head = (path: string, headers: Record<string, string | number>) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;

/** Headers that pass every check but the signature, so a request is held only by its body. */
const shapes: Record<string, Record<string, string>> = {
  github: {
    "content-type": "application/json",
    "x-github-event": "ping",
    "x-github-delivery": "d",
    "x-hub-signature-256": "sha256=0",
  },
  linear: { "content-type": "application/json", "linear-signature": "0", "linear-delivery": "d" },
  slack: { "content-type": "application/json", "x-slack-signature": "v0=0", "x-slack-request-timestamp": "1" },
  deploy: {
    "content-type": "application/json",
    "webhook-id": "m",
    "webhook-timestamp": "1",
    "webhook-signature": "v1,0",
  },
};

describe("per-platform body limits", () => {
  it.each(Object.entries(LIMITS))(
    "%s: a declared length over %i is refused unread, and the connection closed",
    async (platform, limit) => {
      const c = rawConnection(port());
      c.socket.write(head(`/webhooks/${platform}`, { ...shapes[platform], "content-length": limit + 1 }));
      c.socket.write("{"); // a first byte of the body; the rest never comes
      expect(await c.closedWithin(3000)).toBe(true);
      const answer = c.answer();
      expect(answer.status).toBe(413);
      expect(answer.headers.connection).toBe("close");
      expect(JSON.parse(answer.body)).toEqual({ error: `body larger than ${limit} bytes` });
    },
  );

  it("a chunked body growing past the limit is answered 413 before it ends, and the connection closed", async () => {
    const c = rawConnection(port());
    c.socket.write(head("/webhooks/slack", { ...shapes.slack, "transfer-encoding": "chunked" }));
    const chunk = "x".repeat(512);
    let sent = 0;
    // Up to 100 KiB, 50 times the limit; the server must answer long before the end.
    while (sent < 200 && !c.received() && !c.socket.destroyed) {
      c.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      sent++;
      await sleep(5);
    }
    expect(await c.closedWithin(3000)).toBe(true);
    expect(c.answer()).toMatchObject({ status: 413, headers: { connection: "close" } });
    expect(sent).toBeLessThan(200); // answered before the body's end: it was not read to the end
  });

  it("the limits are each platform's: a 3 KB body is too large for Slack but not for GitHub", async () => {
    const filler = "y".repeat(3000);
    const slack = slackRequest(
      JSON.stringify({ type: "event_callback", event_id: `Ev${randomUUID()}`, filler }),
      "application/json",
      SECRETS.slack[0]!,
    );
    expect((await send("slack", slack)).status).toBe(413);
    const github = await githubRequest("ping", { ...ping(), filler }, SECRETS.github[0]!);
    expect((await send("github", github)).status).toBe(202);
  });
});

describe("bytes being read at once", () => {
  /** Requests the github route has begun: its in-flight count is taken in the same tick. */
  const begun = async () => {
    const text = await (await fetch(`${ctx.url}/metrics`)).text();
    return Number(/switchyard_webhooks_received_total\{platform="github"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  /** Sends until the answer is not 503: a release may take a moment on a loaded machine. */
  const untilNot503 = (req: SignedRequest) =>
    waitFor(async () => {
      const res = await send("github", req);
      return res.status === 503 ? null : res;
    }, 3000);

  it("answers 503 with Retry-After above the in-flight cap, and counts again once a request ends", async () => {
    // A holds 8100 declared bytes of the 12000; B's 4000 do not fit while A is being read.
    const before = await begun();
    const a = rawConnection(port());
    a.socket.write(head("/webhooks/github", { ...shapes.github, "content-length": 8100 }));
    a.socket.write("{");
    await waitFor(async () => (await begun()) > before);
    const b = await githubRequest("ping", { ...ping(), filler: "z".repeat(3900) }, SECRETS.github[0]!);
    const refused = await fetch(`${ctx.url}/webhooks/github`, { method: "POST", headers: b.headers, body: b.body });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/retry later/) });
    // A aborts: its bytes are released and B goes through.
    a.socket.destroy();
    expect((await untilNot503(b)).status).toBe(202);
  });

  it("counts a chunked body as it arrives", async () => {
    const a = rawConnection(port());
    a.socket.write(head("/webhooks/github", { ...shapes.github, "transfer-encoding": "chunked" }));
    const chunk = "x".repeat(4050);
    for (let i = 0; i < 2; i++) a.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const b = () => githubRequest("ping", { ...ping(), filler: "z".repeat(3900) }, SECRETS.github[0]!);
    // Once A's 8100 bytes have arrived, B's 4000 do not fit (a fresh B each try: one accepted is kept).
    const refused = await waitFor(async () => {
      const res = await send("github", await b());
      return res.status === 503 ? res : null;
    }, 3000);
    expect(refused.status).toBe(503);
    a.socket.end("0\r\n\r\n"); // the end: answered (401, the signature is wrong) and released
    expect(await a.closedWithin(3000)).toBe(true);
    expect(a.answer().status).toBe(401);
    expect((await untilNot503(await b())).status).toBe(202);
  });
});

describe("bounded header values", () => {
  const longId = "d".repeat(3000);
  it("refuses a 3 KB delivery id on every receiver that takes one from a header", async () => {
    const gh = await githubRequest("ping", ping(), SECRETS.github[0]!, longId);
    expect(await send("github", gh)).toMatchObject({
      status: 400,
      json: { error: expect.stringMatching(/delivery id/) },
    });
    expect((await send("linear", linearRequest(linearIssue(), SECRETS.linear[0]!, longId))).status).toBe(400);
    const deploy = {
      id: "d1",
      repository: "acme/web",
      environment: "production",
      status: "succeeded",
      sha: "b".repeat(40),
    };
    expect((await send("deploy", deployRequest(deploy, SECRETS.deploy[0]!, longId))).status).toBe(400);
    const slack = JSON.stringify({
      type: "event_callback",
      event_id: longId.slice(0, 1000),
      event: { type: "message" },
    });
    expect((await send("slack", slackRequest(slack, "application/json", SECRETS.slack[0]!))).status).toBe(400);
  });

  it("refuses event names outside the bound", async () => {
    for (const event of ["Pull-Request", "push;drop", "a".repeat(65), "push\u00e9"]) {
      const gh = await githubRequest("ping", ping(), SECRETS.github[0]!);
      const res = await send("github", { ...gh, headers: { ...gh.headers, "x-github-event": event } });
      expect(res.status, event).toBe(400);
    }
    const li = linearRequest(linearIssue(), SECRETS.linear[0]!);
    expect((await send("linear", { ...li, headers: { ...li.headers, "linear-event": "Issue<script>" } })).status).toBe(
      400,
    );
    // GitHub's own names with digits pass (projects_v2_item).
    expect((await send("github", await githubRequest("projects_v2_item", ping(), SECRETS.github[0]!))).status).toBe(
      202,
    );
  });

  it("answers headers over Node's 16 KiB with 431 JSON, not a 5xx", async () => {
    const gh = await githubRequest("ping", ping(), SECRETS.github[0]!);
    const c = rawConnection(port());
    c.socket.write(head("/webhooks/github", { ...gh.headers, "x-padding": "p".repeat(20_000), "content-length": 2 }));
    expect(await c.closedWithin(3000)).toBe(true);
    expect(c.answer().status).toBe(431);
    expect(JSON.parse(c.answer().body)).toEqual({ error: expect.any(String) });
  });
});

describe("fields the type is built from", () => {
  it("classifies a signed Slack event whose type is an object instead of failing with 500", async () => {
    // `String()` of this object throws: it answered 500 before.
    for (const type of [{ toString: 1 }, { a: { b: 1 } }, ["message"], 5]) {
      const body = JSON.stringify({
        type: "event_callback",
        event_id: `Ev${randomUUID()}`,
        event: { type, channel: "C1" },
      });
      const res = await send("slack", slackRequest(body, "application/json", SECRETS.slack[0]!));
      expect(res.status, JSON.stringify(type)).toBe(202);
      expect((await ctx.service.queue.getJob(res.json.id))?.name).toBe("slack.unknown");
    }
  });

  it("bounds the type of GitHub and Linear deliveries whatever the action holds", async () => {
    const gh = await send(
      "github",
      await githubRequest("issues", { ...ping(), action: { toString: 1 } }, SECRETS.github[0]!),
    );
    expect(gh.status).toBe(202);
    expect((await ctx.service.queue.getJob(gh.json.id))?.name).toBe("github.issues");
    const signed = linearRequest({ ...linearIssue(), type: "x".repeat(500), action: [] }, SECRETS.linear[0]!);
    const li = await send("linear", { ...signed, headers: { ...signed.headers, "linear-event": "Issue" } });
    expect(li.status).toBe(202);
    expect((await ctx.service.queue.getJob(li.json.id))?.name).toBe("linear.unknown.unknown");
  });
});

describe("replays", () => {
  it("answers a GitHub body re-posted under another delivery id as a duplicate and stores it once", async () => {
    const zen = randomUUID();
    const first = await send("github", await githubRequest("ping", ping(zen), SECRETS.github[0]!));
    expect(first).toMatchObject({ status: 202, json: { duplicate: false } });
    const replayed = await githubRequest("ping", ping(zen), SECRETS.github[0]!, randomUUID());
    expect(await send("github", replayed)).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true } });
    await waitFor(() => prisma.rawDelivery.findUnique({ where: { id: first.json.id } }));
    await sleep(300); // past a worker batch: a second copy would be stored by now
    expect(await prisma.rawDelivery.count({ where: { platform: "github", body: { contains: zen } } })).toBe(1);
  });

  it("does the same for Linear within its 60 s window", async () => {
    const issue = linearIssue();
    const at = Date.now();
    const first = await send("linear", linearRequest(issue, SECRETS.linear[0]!, randomUUID(), at));
    expect(first.status).toBe(202);
    const again = await send("linear", linearRequest(issue, SECRETS.linear[0]!, randomUUID(), at));
    expect(again).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true } });
    await waitFor(() => prisma.rawDelivery.findUnique({ where: { id: first.json.id } }));
    await sleep(300);
    expect(await prisma.rawDelivery.count({ where: { platform: "linear", body: { contains: issue.data.id } } })).toBe(
      1,
    );
  });

  it("still answers a redelivery (same delivery id) as the duplicate of its first job", async () => {
    const req = await githubRequest("ping", ping(), SECRETS.github[0]!);
    const first = await send("github", req);
    expect(await send("github", req)).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true } });
  });

  it("answers deliveries received together (one round trip) each for its own job, replays among them", async () => {
    const zen = randomUUID();
    const first = await send("github", await githubRequest("ping", ping(zen), SECRETS.github[0]!));
    const redelivery = await githubRequest("ping", ping(), SECRETS.github[0]!);
    const redelivered = await send("github", redelivery);
    const fresh = await Promise.all(
      Array.from({ length: 20 }, () => githubRequest("ping", ping(), SECRETS.github[0]!)),
    );
    const replayed = await githubRequest("ping", ping(zen), SECRETS.github[0]!, randomUUID());
    const answers = await Promise.all([...fresh, replayed, redelivery].map((r) => send("github", r)));

    for (const [i, req] of fresh.entries()) {
      expect(answers[i]).toMatchObject({ status: 202, json: { duplicate: false } });
      const job = await ctx.service.queue.getJob(answers[i]!.json.id);
      expect(job?.data.deliveryId).toBe(req.headers["x-github-delivery"]);
      expect(job?.data.body).toBe(req.body);
    }
    expect(new Set(answers.slice(0, fresh.length).map((a) => a.json.id)).size).toBe(fresh.length);
    expect(answers[fresh.length]).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true } });
    expect(answers[fresh.length + 1]).toMatchObject({
      status: 200,
      json: { id: redelivered.json.id, duplicate: true },
    });
    // The replay's own delivery id, retried, is still the first's duplicate.
    expect(await send("github", replayed)).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true } });
  });

  it("does not take a changed body for a replay", async () => {
    const zen = randomUUID();
    const a = await send("github", await githubRequest("ping", ping(zen), SECRETS.github[0]!));
    const b = await send("github", await githubRequest("ping", ping(`${zen}!`), SECRETS.github[0]!));
    expect([a.status, b.status]).toEqual([202, 202]);
  });

  it("never refuses a body whose first delivery was not queued (its add failed): no delivery is lost", async () => {
    const req = await githubRequest("ping", ping(), SECRETS.github[0]!);
    // What a first attempt leaves when its add fails after the body was recorded: no job behind it.
    const redis = new Redis(ctx.config.REDIS_URL);
    try {
      const hash = createHash("sha256").update(req.headers["x-hub-signature-256"]!).digest("hex");
      await redis.set(`${ctx.config.REDIS_PREFIX}:ingest:replay:github:${hash}`, "never-queued", "EX", 60);
    } finally {
      await redis.quit();
    }
    expect(await send("github", req)).toMatchObject({ status: 202, json: { duplicate: false } });
  });
});

describe("non-UTF-8 bodies", () => {
  it("refuses them with 400 before verifying a string that is not what was signed", async () => {
    const bytes = Buffer.concat([Buffer.from('{"zen":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    // Signed over the lossy string the verifier would otherwise see: it must not pass.
    const signature = await sign(SECRETS.github[0]!, bytes.toString("utf8"));
    const headers = {
      "content-type": "application/json",
      "x-github-event": "ping",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": signature,
    };
    const res = await fetch(`${ctx.url}/webhooks/github`, { method: "POST", headers, body: bytes });
    expect(res.status).toBe(400);
  });
});

describe("request timeouts", () => {
  let svc: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    svc = await startTestService({
      ROLE: "web",
      HTTP_REQUEST_TIMEOUT_MS: "1000",
      HTTP_HEADERS_TIMEOUT_MS: "500",
      WEBHOOK_MAX_INFLIGHT_BYTES: "1000",
    });
  });
  afterAll(() => svc?.service.close());

  it("cuts a slow body with 408 and releases its bytes", async () => {
    const started = Date.now();
    const c = rawConnection(new URL(svc.url).port);
    c.socket.write(head("/webhooks/github", { ...shapes.github, "content-length": 900 }));
    const trickle = setInterval(() => c.socket.writable && c.socket.write("x"), 100);
    try {
      expect(await c.closedWithin(4000)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
    expect(Date.now() - started).toBeLessThan(3000);
    expect(c.answer().status).toBe(408);
    // The cut request no longer holds its 900 bytes of the 1000.
    const b = await githubRequest("ping", { ...ping(), filler: "z".repeat(700) }, SECRETS.github[0]!);
    expect((await post(`${svc.url}/webhooks/github`, b)).status).toBe(202);
  });

  it("cuts headers that never end", async () => {
    const c = rawConnection(new URL(svc.url).port);
    c.socket.write("POST /webhooks/github HTTP/1.1\r\nHost: localhost\r\n");
    expect(await c.closedWithin(3000)).toBe(true);
    expect(c.answer().status).toBe(408);
  });
});
