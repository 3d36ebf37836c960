import type { Priority } from "../../shared/event.js";
import type { SlackBody } from "./payload.js";

/** `slack.<event type>[.<subtype>]`, `slack.<interaction type>`, `slack.command`. */
export function slackType(body: Exclude<SlackBody, { kind: "url_verification" }>): string {
  switch (body.kind) {
    case "command":
      return "slack.command";
    case "interaction":
      return `slack.${String(body.payload.type ?? "interaction")}`;
    case "event": {
      const { event, envelope } = body;
      const type = String(event.type ?? envelope.type ?? "event");
      // Thread replies stay plain messages; edits and deletions are named by their subtype.
      const subtype = typeof event.subtype === "string" && event.subtype !== "thread_broadcast" ? event.subtype : null;
      return subtype ? `slack.${type}.${subtype}` : `slack.${type}`;
    }
  }
}

const CHATTER = /^slack\.(message|reaction_added|reaction_removed)\b/;

/** People acting on the app are normal; channel chatter is low (README "Queue priorities"). */
export function slackPriority(type: string): Priority {
  return CHATTER.test(type) ? "low" : "normal";
}
