import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MilestoneData, OutgoingMessage, SubscriptionTarget } from "../../../src/shared/outbound.js";
import { linearSender, noticeCommentId } from "../../../src/outbound/senders/linear.js";
import { slackSender } from "../../../src/outbound/senders/slack.js";
import { startFakeLinear, type FakeLinear } from "../../helpers/fake-linear.js";
import { startFakeSlack, type FakeSlack } from "../../helpers/fake-slack.js";
import { useTestPrisma } from "../../helpers/service.js";

/**
 * The Slack and Linear senders against loopback APIs, with the run's PostgreSQL for `linear_notices`;
 * the demo story through the whole service is in outbound-slack-linear-story.test.ts.
 */

const prisma = useTestPrisma();
let slack: FakeSlack;
let linear: FakeLinear;
beforeAll(async () => {
  [slack, linear] = await Promise.all([startFakeSlack(), startFakeLinear()]);
});
afterAll(() => Promise.all([slack?.close(), linear?.close()]));

const target = (kind: "slack" | "linear", extra: Partial<SubscriptionTarget> = {}): SubscriptionTarget => ({
  id: randomUUID(),
  name: `sub-${kind}`,
  dispatch: null,
  kind,
  url: null,
  channel: null,
  moveTo: null,
  secrets: [],
  ...extra,
});

const shipped = (identifier: string, deployId = "d-123"): MilestoneData["issue.shipped"] => ({
  deploy: {
    key: `deploy:generic:${deployId}`,
    repository: "acme/web",
    service: "acme/web",
    environment: "production-eu",
    sha: "abcdef0123456789abcdef0123456789abcdef01",
    status: "succeeded",
    url: `https://ci.example.com/deploys/${deployId}`,
    at: new Date().toISOString(),
  },
  environment: "production-eu",
  repository: "acme/web",
  issue: {
    key: `linear:issue:${identifier}`,
    title: "Checkout times out",
    url: `https://linear.app/acme/issue/${identifier}`,
  },
  pullRequests: [{ key: "github:pr:acme/web#7", title: "Retry checkout", url: "https://github.com/acme/web/pull/7" }],
});

const message = (type: string, data: unknown, attempt = 1, id = randomUUID()): OutgoingMessage => ({
  id,
  attempt,
  payload: { type, timestamp: new Date().toISOString(), data },
});
const again = (m: OutgoingMessage): OutgoingMessage => ({ ...m, attempt: m.attempt + 1 });

describe("slack sender", () => {
  let channelN = 0;
  const channel = () => `C${Date.now().toString(36).toUpperCase()}${channelN++}`;
  const send = () => slackSender({ token: slack.token, apiUrl: slack.apiUrl });
  const postsIn = (ch: string) => slack.posted.filter((m) => m.channel === ch);

  it("posts the message's text and blocks, with its id in the metadata", async () => {
    const ch = channel();
    const m = message("issue.shipped", shipped("ENG-42"));
    const outcome = await send()(target("slack", { channel: ch }), m);
    expect(outcome).toMatchObject({ ok: true, statusCode: 200 });
    const [posted, ...more] = postsIn(ch);
    expect(more).toEqual([]);
    expect(posted!.text).toBe("ENG-42 Checkout times out shipped to production-eu by deploy d-123 · PR #7");
    expect(JSON.stringify(posted!.blocks)).toContain(
      "<https://linear.app/acme/issue/ENG-42|ENG-42 Checkout times out>",
    );
    expect(posted!.metadata).toEqual({
      event_type: "switchyard_message",
      event_payload: { id: m.id, type: "issue.shipped" },
    });
    const call = slack.calls.findLast((c) => c.method === "chat.postMessage")!;
    expect(call.args).toMatchObject({ unfurl_links: "false", unfurl_media: "false" });
  });

  it("does not post again on redelivery", async () => {
    const ch = channel();
    const sender = send();
    const m = message("pr.shipped", {
      ...shipped("ENG-43"),
      pullRequest: { key: "github:pr:acme/web#7", title: "Retry checkout", url: null },
    });
    expect((await sender(target("slack", { channel: ch }), m)).ok).toBe(true);
    // Other messages in between: the earlier post is found among them.
    for (let i = 0; i < 3; i++)
      await sender(target("slack", { channel: ch }), message("deploy.failed", { subject: `deploy:generic:x${i}` }));
    const redelivered = await sender(target("slack", { channel: ch }), again(m));
    expect(redelivered).toMatchObject({ ok: true, statusCode: 200 });
    expect(redelivered.response).toMatch(/^already posted/);
    expect(postsIn(ch).filter((p) => p.metadata?.event_payload.id === m.id)).toHaveLength(1);
  });

  it("finds a post whose answer was lost, and does not post it twice", async () => {
    const ch = channel();
    const sender = send();
    const m = message("issue.shipped", shipped("ENG-44"));
    slack.trouble("chat.postMessage", { acceptThenFail: true });
    const first = await sender(target("slack", { channel: ch }), m);
    expect(first).toMatchObject({ ok: false, statusCode: 500 });
    expect(first.permanent).toBeFalsy();
    const second = await sender(target("slack", { channel: ch }), again(m));
    expect(second.ok).toBe(true);
    expect(postsIn(ch)).toHaveLength(1);
  });

  it("a first attempt made late (re-run after a crash) looks first too", async () => {
    const ch = channel();
    const sender = send();
    const m = message("issue.shipped", shipped("ENG-48"));
    m.payload.timestamp = new Date(Date.now() - 5 * 60_000).toISOString();
    expect((await sender(target("slack", { channel: ch }), m)).response).toMatch(/^posted/);
    const rerun = await sender(target("slack", { channel: ch }), m);
    expect(rerun.response).toMatch(/^already posted/);
    expect(postsIn(ch)).toHaveLength(1);
  });

  it("posts on a retry whose first attempt did not reach Slack", async () => {
    const ch = channel();
    const sender = send();
    const m = message("issue.shipped", shipped("ENG-45"));
    slack.trouble("chat.postMessage", { status: 503 });
    expect(await sender(target("slack", { channel: ch }), m)).toMatchObject({ ok: false, statusCode: 503 });
    expect(await sender(target("slack", { channel: ch }), again(m))).toMatchObject({ ok: true });
    expect(postsIn(ch)).toHaveLength(1);
  });

  it("429 → retryAfterMs from Retry-After, not retried by the SDK", async () => {
    const ch = channel();
    slack.trouble("chat.postMessage", { status: 429, retryAfter: 7 });
    const outcome = await send()(target("slack", { channel: ch }), message("issue.shipped", shipped("ENG-46")));
    expect(outcome).toMatchObject({ ok: false, statusCode: 429, retryAfterMs: 7000 });
    expect(outcome.permanent).toBeFalsy();
    expect(postsIn(ch)).toHaveLength(0);
  });

  it("setup errors are permanent; no token says so; the token is never in an outcome", async () => {
    const noToken = await slackSender({ apiUrl: slack.apiUrl })(target("slack", { channel: "C1" }), message("x", {}));
    expect(noToken).toMatchObject({ ok: false, permanent: true, error: "SLACK_BOT_TOKEN is not set" });

    slack.trouble("chat.postMessage", { error: "channel_not_found" });
    const missing = await send()(target("slack", { channel: channel() }), message("x", {}));
    expect(missing).toMatchObject({ ok: false, permanent: true, error: "Slack: channel_not_found" });

    const badToken = await slackSender({ token: "xoxb-wrong-secret", apiUrl: slack.apiUrl })(
      target("slack", { channel: channel() }),
      message("x", {}),
    );
    expect(badToken).toMatchObject({ ok: false, permanent: true, error: "Slack: invalid_auth" });
    expect(JSON.stringify(badToken)).not.toContain("xoxb-wrong-secret");

    slack.trouble("chat.postMessage", { error: "internal_error" });
    expect((await send()(target("slack", { channel: channel() }), message("x", {}))).permanent).toBe(false);
  });

  it("posts when the history cannot be read, and says the check was skipped", async () => {
    const ch = channel();
    slack.trouble("conversations.history", { error: "missing_scope" });
    const outcome = await send()(target("slack", { channel: ch }), message("issue.shipped", shipped("ENG-47"), 2));
    expect(outcome.ok).toBe(true);
    expect(outcome.response).toContain("redelivery check skipped: missing_scope");
    expect(postsIn(ch)).toHaveLength(1);
  });
});

describe("linear sender", () => {
  let n = 0;
  /** A fresh issue in team T with the usual states, in state Todo. */
  function issue(): string {
    const identifier = `ENG-${1000 + n++}`;
    linear.states.set("team-eng", [
      { id: "state-todo", name: "Todo" },
      { id: "state-progress", name: "In Progress" },
      { id: "state-done", name: "Done" },
    ]);
    linear.issues.set(`uuid-${identifier}`, {
      id: `uuid-${identifier}`,
      identifier,
      teamId: "team-eng",
      stateId: "state-todo",
    });
    return identifier;
  }
  const send = (extra: Partial<Parameters<typeof linearSender>[0]> = {}) =>
    linearSender({ apiKey: linear.apiKey, apiUrl: linear.apiUrl, prisma, ...extra });
  const commentsOn = (identifier: string) => linear.comments.filter((c) => c.issueId === `uuid-${identifier}`);
  const notice = (subscriptionId: string, identifier: string, deploy = "deploy:generic:d-123") =>
    prisma.linearNotice.findUnique({
      where: { subscriptionId_issue_deploy: { subscriptionId, issue: `linear:issue:${identifier}`, deploy } },
    });

  it("comments on the issue once per (issue, deploy), also on redelivery", async () => {
    const id = issue();
    const sub = target("linear");
    const sender = send();
    const m = message("issue.shipped", shipped(id));
    const outcome = await sender(sub, m);
    expect(outcome).toMatchObject({ ok: true, statusCode: 200 });
    const [comment, ...more] = commentsOn(id);
    expect(more).toEqual([]);
    expect(comment!.body).toContain(
      "Shipped to **production-eu** by deploy [d-123](https://ci.example.com/deploys/d-123)",
    );
    expect(comment!.body).toContain("[PR #7 Retry checkout](https://github.com/acme/web/pull/7)");
    expect((await notice(sub.id, id))?.commentId).toBe(comment!.id);

    const before = linear.calls.length;
    expect((await sender(sub, again(m))).response).toMatch(/^already commented/);
    // The same fact in another message (a replay) is not told twice either.
    expect((await sender(sub, message("issue.shipped", shipped(id)))).ok).toBe(true);
    expect(linear.calls.length).toBe(before);
    expect(commentsOn(id)).toHaveLength(1);

    // Another deploy of the same issue, or another subscription: a comment each.
    await sender(sub, message("issue.shipped", shipped(id, "d-124")));
    await sender(target("linear"), m);
    expect(commentsOn(id)).toHaveLength(3);
  });

  it("moves the issue to the named state (case aside), then comments", async () => {
    const id = issue();
    const outcome = await send()(target("linear", { moveTo: "done" }), message("issue.shipped", shipped(id)));
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.response).toContain("moved to Done");
    expect(linear.issues.get(`uuid-${id}`)!.stateId).toBe("state-done");
    expect(commentsOn(id)).toHaveLength(1);
    const ops = linear.calls.slice(-4).map((c) => c.operation);
    expect(ops).toEqual(["SwitchyardIssue", "SwitchyardTeamStates", "updateIssue", "createComment"]);
  });

  it("an unknown state is a permanent failure naming it, and nothing is commented", async () => {
    const id = issue();
    const outcome = await send()(target("linear", { moveTo: "Shipped" }), message("issue.shipped", shipped(id)));
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    expect(outcome.error).toContain('"Shipped"');
    expect(commentsOn(id)).toHaveLength(0);
  });

  it("a comment whose answer was lost is found, not made again", async () => {
    const id = issue();
    const sub = target("linear");
    linear.loseNextComment("500");
    expect(await send()(sub, message("issue.shipped", shipped(id)))).toMatchObject({ ok: true });
    expect(commentsOn(id)).toHaveLength(1);
    expect((await notice(sub.id, id))?.commentId).toBe(commentsOn(id)[0]!.id);
  });

  it("an attempt cut off after Linear made the comment: the next finds it", async () => {
    const id = issue();
    const sub = target("linear");
    const m = message("issue.shipped", shipped(id));
    linear.loseNextComment("hang");
    const first = await send({ timeoutMs: 300 })(sub, m);
    expect(first).toMatchObject({ ok: false });
    expect(first.permanent).toBeFalsy();
    expect((await notice(sub.id, id))?.commentId).toBeNull();
    const before = linear.calls.length;
    expect(await send()(sub, again(m))).toMatchObject({ ok: true });
    expect(linear.calls.slice(before).map((c) => c.operation)).toEqual(["SwitchyardComment"]);
    expect(commentsOn(id)).toHaveLength(1);
    expect(commentsOn(id)[0]!.id).toBe(
      noticeCommentId({ subscriptionId: sub.id, issue: `linear:issue:${id}`, deploy: "deploy:generic:d-123" }),
    );
    expect((await notice(sub.id, id))?.commentId).toBe(commentsOn(id)[0]!.id);
  });

  it("RATELIMITED → retryAfterMs from Linear's reset header", async () => {
    const id = issue();
    linear.rateLimitOnce(30_000);
    const outcome = await send()(target("linear"), message("issue.shipped", shipped(id)));
    expect(outcome).toMatchObject({ ok: false, error: "Linear rate limit (RATELIMITED)" });
    expect(outcome.permanent).toBeFalsy();
    expect(outcome.retryAfterMs).toBeGreaterThan(20_000);
    expect(outcome.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it("no key, a refused key, other types and non-Linear issues", async () => {
    const id = issue();
    const noKey = await linearSender({ apiUrl: linear.apiUrl, prisma })(
      target("linear"),
      message("issue.shipped", shipped(id)),
    );
    expect(noKey).toMatchObject({ ok: false, permanent: true, error: "LINEAR_API_KEY is not set" });

    const refused = await send({ apiKey: "lin_api_wrong_secret" })(
      target("linear"),
      message("issue.shipped", shipped(id)),
    );
    expect(refused).toMatchObject({ ok: false, permanent: true });
    expect(JSON.stringify(refused)).not.toContain("lin_api_wrong_secret");

    const before = linear.calls.length;
    expect(await send()(target("linear"), message("deploy.changes", {}))).toMatchObject({ ok: true });
    const github = { ...shipped(id), issue: { key: "github:issue:acme/web#3", title: null, url: null } };
    expect(await send()(target("linear"), message("issue.shipped", github))).toMatchObject({ ok: true });
    expect(linear.calls.length).toBe(before);
    expect(commentsOn(id)).toHaveLength(0);
  });
});
