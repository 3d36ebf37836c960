import { malformed } from "../../shared/errors.js";

type Json = Record<string, unknown>;

/** The three shapes Slack posts: Events API JSON, form `payload=` interactions, form slash commands. */
export type SlackBody =
  | { kind: "url_verification"; challenge: string }
  | { kind: "event"; envelope: Json; event: Json }
  | { kind: "interaction"; payload: Json }
  | { kind: "command"; fields: Record<string, string> };

function object(text: string | null): Json {
  try {
    const value: unknown = JSON.parse(text ?? "");
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Json;
  } catch {
    // fall through
  }
  throw malformed("body is not a JSON object");
}

export function parseSlackBody(contentType: string | null, body: string): SlackBody {
  if (contentType === "application/x-www-form-urlencoded") {
    const form = new URLSearchParams(body);
    if (form.has("payload")) return { kind: "interaction", payload: object(form.get("payload")) };
    if (form.has("command")) return { kind: "command", fields: Object.fromEntries(form) };
    throw malformed("form body has neither payload nor command");
  }
  const envelope = object(body);
  if (envelope.type === "url_verification") {
    if (typeof envelope.challenge !== "string") throw malformed("url_verification without challenge");
    return { kind: "url_verification", challenge: envelope.challenge };
  }
  const event = envelope.event;
  return {
    kind: "event",
    envelope,
    event: event && typeof event === "object" && !Array.isArray(event) ? (event as Json) : {},
  };
}
