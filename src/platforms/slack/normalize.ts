import type { Delivery, NormalizedEvent, SlackRow } from "../../shared/event.js";
import { keysFromUrls, slackMessageKey, uniqueKeys } from "../../shared/keys.js";
import { firstDate } from "../../shared/time.js";
import { parseSlackBody } from "./payload.js";

type Obj = Record<string, any>;

/** The message an event is about, wherever the event type keeps it. */
function messageOf(event: Obj): { channel?: string; ts?: string; threadTs?: string; user?: string; text?: string } {
  switch (event.subtype ?? event.type) {
    case "message_changed":
      return { channel: event.channel, ts: event.message?.ts, threadTs: event.message?.thread_ts, user: event.message?.user, text: event.message?.text };
    case "message_deleted":
      return { channel: event.channel, ts: event.deleted_ts, threadTs: event.previous_message?.thread_ts, user: event.previous_message?.user };
    case "reaction_added":
    case "reaction_removed":
      return { channel: event.item?.channel, ts: event.item?.ts, user: event.user, text: event.reaction };
    case "link_shared":
      return { channel: event.channel, ts: event.message_ts, threadTs: event.thread_ts, user: event.user, text: (event.links ?? []).map((l: Obj) => l.url).join(" ") };
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
        teamId: envelope.team_id ?? null,
        kind: String(event.type ?? envelope.type),
        subtype: event.subtype ?? null,
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
        teamId: p.team?.id ?? null,
        kind: String(p.type),
        subtype: null,
        channel: p.channel?.id ?? p.container?.channel_id ?? null,
        user: p.user?.id ?? null,
        ts: p.message?.ts ?? p.container?.message_ts ?? null,
        threadTs: p.message?.thread_ts ?? null,
        text: p.message?.text ?? null,
        command: null,
        actionIds: (p.actions ?? []).map((a: Obj) => String(a.action_id)),
      };
      when = [p.actions?.[0]?.action_ts];
      payload = p;
      break;
    }
    case "command": {
      const f = body.fields;
      row = {
        teamId: f.team_id ?? null,
        kind: "command",
        subtype: null,
        channel: f.channel_id ?? null,
        user: f.user_id ?? null,
        ts: null,
        threadTs: null,
        text: f.text ?? null,
        command: f.command ?? null,
        actionIds: [],
      };
      payload = f;
      break;
    }
    case "url_verification":
      throw new Error("url_verification is answered by the receiver, never queued");
  }
  const subject = row.channel && row.ts ? slackMessageKey(row.channel, row.ts) : null;
  const thread = row.channel && row.threadTs && row.threadTs !== row.ts ? slackMessageKey(row.channel, row.threadTs) : null;
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
