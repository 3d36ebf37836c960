import { describe, expect, it } from "vitest";
import { loadFixtures } from "../helpers/fixtures.js";
import { SECRETS, useTestService, useTestPrisma, waitFor } from "../helpers/service.js";
import { post, slackBody, slackRequest } from "../../kit/sign.js";

const fixtures = loadFixtures("slack");
const ctx = useTestService();
const prisma = useTestPrisma();
// Each run re-sends the same fixtures; unique event ids keep runs and files apart.
const run = Math.random().toString(36).slice(2, 8);

function send(name: string, opts: { secret?: string; headers?: Record<string, string> } = {}) {
  const f = structuredClone(fixtures[name]!);
  if (f.payload.event_id) f.payload.event_id = `${f.payload.event_id}-${run}`;
  if (f.kind === "interaction") f.payload.trigger_id = `${f.payload.trigger_id}.${run}`;
  if (f.kind === "command") f.payload.trigger_id = `${f.payload.trigger_id}.${run}`;
  const { body, contentType } = slackBody(f);
  const req = slackRequest(body, contentType, opts.secret ?? SECRETS.slack[0]!);
  return post(`${ctx.url}/webhooks/slack`, { ...req, headers: { ...req.headers, ...opts.headers } });
}

async function stored(name: string) {
  const res = await send(name);
  expect(res.status, res.text).toBe(202);
  return waitFor(() => prisma.event.findUnique({ where: { id: res.json.id }, include: { slack: true, raw: true } }));
}

describe("Slack receiver", () => {
  it("every fixture names its source", () => {
    for (const f of Object.values(fixtures)) expect(f.source).toMatch(/^https:\/\//);
  });

  it("answers url_verification with the challenge and stores nothing", async () => {
    const { challenge } = fixtures.url_verification!.payload;
    const res = await send("url_verification");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge });
    // Not queued either: wait past a worker's batch linger, then look for the body itself
    // (other test files store Slack events in the same schema meanwhile, so no global count).
    await new Promise((r) => setTimeout(r, 300));
    expect(await prisma.rawDelivery.count({ where: { platform: "slack", body: { contains: challenge } } })).toBe(0);
  });

  it("stores a channel message with the URLs it mentions as keys", async () => {
    const e = await stored("message");
    const ev = fixtures.message!.payload.event;
    expect(e.type).toBe("slack.message");
    expect(e.priority).toBe("low");
    expect(e.subject).toBe(`slack:message:${ev.channel}/${ev.ts}`);
    expect(e.keys).toContain("github:pr:acme/web#7");
    expect(e.actor).toBe(ev.user);
    expect(e.occurredAt.getTime()).toBe(Math.floor(Number(ev.ts) * 1000));
    expect(e.slack).toMatchObject({
      kind: "message",
      channel: ev.channel,
      ts: ev.ts,
      user: ev.user,
      text: ev.text,
      teamId: "T0ACME0001",
    });
  });

  it("links a thread reply to its parent message", async () => {
    const e = await stored("message_thread_reply");
    const ev = fixtures.message_thread_reply!.payload.event;
    expect(e.type).toBe("slack.message");
    expect(e.subject).toBe(`slack:message:${ev.channel}/${ev.ts}`);
    expect(e.keys).toContain(`slack:message:${ev.channel}/${ev.thread_ts}`);
    expect(e.slack).toMatchObject({ threadTs: ev.thread_ts });
  });

  it("stores an edit against the edited message", async () => {
    const e = await stored("message_changed");
    const ev = fixtures.message_changed!.payload.event;
    expect(e.type).toBe("slack.message.message_changed");
    expect(e.subject).toBe(`slack:message:${ev.channel}/${ev.message.ts}`);
    expect(e.slack).toMatchObject({ subtype: "message_changed", text: ev.message.text });
  });

  it("stores a deletion against the deleted message", async () => {
    const e = await stored("message_deleted");
    const ev = fixtures.message_deleted!.payload.event;
    expect(e.type).toBe("slack.message.message_deleted");
    expect(e.subject).toBe(`slack:message:${ev.channel}/${ev.deleted_ts}`);
  });

  it("stores app_mention, reaction_added and link_shared", async () => {
    const mention = await stored("app_mention");
    expect(mention.type).toBe("slack.app_mention");
    expect(mention.priority).toBe("normal");
    const reaction = await stored("reaction_added");
    const item = fixtures.reaction_added!.payload.event.item;
    expect(reaction.type).toBe("slack.reaction_added");
    expect(reaction.subject).toBe(`slack:message:${item.channel}/${item.ts}`);
    const link = await stored("link_shared");
    expect(link.type).toBe("slack.link_shared");
    expect(link.keys).toEqual(expect.arrayContaining(["github:pr:acme/web#7", "linear:issue:ENG-42"]));
  });

  it("accepts form-encoded block_actions and slash commands", async () => {
    const action = await stored("block_actions");
    const p = fixtures.block_actions!.payload;
    expect(action.type).toBe("slack.block_actions");
    expect(action.slack!.actionIds).toEqual(p.actions.map((a: any) => a.action_id));
    expect(action.subject).toBe(`slack:message:${p.container.channel_id}/${p.container.message_ts}`);
    expect(action.raw.contentType).toBe("application/x-www-form-urlencoded");
    const command = await stored("slash_command");
    expect(command.type).toBe("slack.command");
    expect(command.slack).toMatchObject({ command: "/deploy", text: "web production", kind: "command" });
  });

  it("answers Slack's retries (X-Slack-Retry-Num) as duplicates and stores once", async () => {
    const first = await send("app_mention", { headers: {} });
    // app_mention was already sent above with the same event id in this run.
    expect(first.status).toBe(200);
    expect(first.json.duplicate).toBe(true);
    const retry = await send("app_mention", {
      headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
    });
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual({ id: first.json.id, duplicate: true });
    const rows = await prisma.event.count({
      where: { platform: "slack", deliveryId: `${fixtures.app_mention!.payload.event_id}-${run}` },
    });
    expect(rows).toBe(1);
  });
});
