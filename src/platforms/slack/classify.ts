import { typeWord } from "../platform.js";
import type { Priority } from "../../shared/event.js";
import type { SlackBody } from "./payload.js";

/**
 * A payload value fit to be part of a type: a word, else nothing. A signed body may still hold an
 * object where Slack sends a string; `String()` of one can throw (an own `toString` that is not a
 * function), which answered 500 before.
 */

/** `typeWord(v)`; `absent` when there is no value, `unknown` when there is one that is not a word. */
const part = (v: unknown, absent: string) => typeWord(v) ?? (v === undefined || v === null ? absent : "unknown");

/** `slack.<event type>[.<subtype>]`, `slack.<interaction type>`, `slack.command`. */
export function slackType(body: Exclude<SlackBody, { kind: "url_verification" }>): string {
  switch (body.kind) {
    case "command":
      return "slack.command";
    case "interaction":
      return `slack.${part(body.payload.type, "interaction")}`;
    case "event": {
      const { event, envelope } = body;
      const type = part(event.type, part(envelope.type, "event"));
      // Thread replies stay plain messages; edits and deletions are named by their subtype.
      const subtype = typeWord(event.subtype);
      return subtype && subtype !== "thread_broadcast" ? `slack.${type}.${subtype}` : `slack.${type}`;
    }
  }
}

const CHATTER = /^slack\.(message|reaction_added|reaction_removed)\b/;

/** People acting on the app are normal; channel chatter is low (docs/operations.md "The ingest queue"). */
export function slackPriority(type: string): Priority {
  return CHATTER.test(type) ? "low" : "normal";
}
