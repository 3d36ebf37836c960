import type { Delivery, NormalizedEvent, SlackRow } from "../../shared/event.js";
import { keysFromUrls, slackMessageKey, uniqueKeys } from "../../shared/keys.js";
import { bounded, LIMITS, text } from "../../shared/bounds.js";
import { firstDate } from "../../shared/time.js";
import { parseSlackBody } from "./payload.js";

type Obj = Record<string, any>;

type Message = { channel?: unknown; ts?: unknown; threadTs?: unknown; user?: unknown; text?: unknown };

/** The message an event is about, wherever the event type keeps it; ids bounded, non-strings absent. */
const id = (v: unknown) => bounded(v, LIMITS.nameBytes);

function messageOf(event: Obj) {
  const m = locate(event);
  return { channel: id(m.channel), ts: id(m.ts), threadTs: id(m.threadTs), user: id(m.user), text: text(m.text) };
}

function locate(event: Obj): Message {
  switch (event.subtype ?? event.type) {
    case "message_changed":
      return {
        channel: event.channel,
        ts: event.message?.ts,
        threadTs: event.message?.thread_ts,
        user: event.message?.user,
        text: event.message?.text,
      };
    case "message_deleted":
      return {
        channel: event.channel,
        ts: event.deleted_ts,
        threadTs: event.previous_message?.thread_ts,
        user: event.previous_message?.user,
      };
    case "reaction_added":
    case "reaction_removed":
      return { channel: event.item?.channel, ts: event.item?.ts, user: event.user, text: event.reaction };
    case "link_shared":
      return {
        channel: event.channel,
        ts: event.message_ts,
        threadTs: event.thread_ts,
        user: event.user,
        text: (Array.isArray(event.links) ? event.links : []).map((l: Obj) => text(l?.url)).join(" "),
      };
    default:
      return { channel: event.channel, ts: event.ts, threadTs: event.thread_ts, user: event.user, text: event.text };
  }
}

export function normalizeSlack(d: Delivery): NormalizedEvent {
  const received = new Date(d.receivedAt);
  const body = parseSlackBody(d.contentType, d.body);
  let row: SlackRow;
  let when: unknown[] = [];
  let payload: unknown;
  switch (body.kind) {
    case "event": {
      const event: Obj = body.event;
      const envelope: Obj = body.envelope;
      const m = messageOf(event);
      row = {
        teamId: id(envelope.team_id),
        kind: text(event.type) ?? text(envelope.type) ?? "event",
        subtype: text(event.subtype),
        channel: m.channel ?? null,
        user: m.user ?? null,
        ts: m.ts ?? null,
        threadTs: m.threadTs ?? null,
        text: m.text ?? null,
        command: null,
        actionIds: [],
      };
      when = [event.event_ts, envelope.event_time];
      payload = body.envelope;
      break;
    }
    case "interaction": {
      const p: Obj = body.payload;
      row = {
        teamId: id(p.team?.id),
        kind: text(p.type) ?? "interaction",
        subtype: null,
        channel: id(p.channel?.id) ?? id(p.container?.channel_id),
        user: id(p.user?.id),
        ts: id(p.message?.ts) ?? id(p.container?.message_ts),
        threadTs: id(p.message?.thread_ts),
        text: text(p.message?.text),
        command: null,
        actionIds: (Array.isArray(p.actions) ? p.actions : []).map((a: Obj) => text(a?.action_id) ?? ""),
      };
      when = [p.actions?.[0]?.action_ts];
      payload = p;
      break;
    }
    case "command": {
      const f = body.fields;
      row = {
        teamId: id(f.team_id),
        kind: "command",
        subtype: null,
        channel: id(f.channel_id),
        user: id(f.user_id),
        ts: null,
        threadTs: null,
        text: text(f.text),
        command: id(f.command),
        actionIds: [],
      };
      payload = f;
      break;
    }
    case "url_verification":
      throw new Error("url_verification is answered by the receiver, never queued");
  }
  const subject = row.channel && row.ts ? slackMessageKey(row.channel, row.ts) : null;
  const thread =
    row.channel && row.threadTs && row.threadTs !== row.ts ? slackMessageKey(row.channel, row.threadTs) : null;
  return {
    type: d.type,
    occurredAt: firstDate(received, ...when, row.ts),
    actor: row.user,
    subject,
    keys: uniqueKeys(subject, thread, keysFromUrls(row.text)),
    payload,
    rows: { slack: row },
  };
}
