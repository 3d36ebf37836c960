import { ErrorCode, LogLevel, WebClient, type WebAPIPlatformError } from "@slack/web-api";
import { failedOutcome, type OutgoingMessage, type Sender, type SendOutcome } from "../../shared/outbound.js";
import { slackMessage } from "./slack-message.js";
import { digestMessage, isDigest } from "./slack-digest.js";

/**
 * `kind: "slack"` (contract §9): `chat.postMessage` to the subscription's channel.
 *
 * Not repeated on redelivery. Slack has no idempotency key, and a message is sent again only after
 * an attempt that failed, was cut off or whose answer was lost: exactly the cases where our own
 * record cannot say whether Slack posted (it may have; the answer never came back). So the message
 * carries its id in Slack message metadata, and a repeat looks for it in the channel's recent
 * history before posting. A table of posted ids would not close that gap; Slack's own history does.
 * A repeat is an attempt after the first, or a first attempt made late: a worker that crashed
 * mid-attempt leaves it unrecorded, and the sweeper (or BullMQ's stalled-job check) runs it again
 * under the same number at least 30 s on. The check needs the channel's id (a `#name` cannot be
 * read back) and a history scope (`channels:history`, `groups:history` for private channels):
 * without them it is skipped and the message posted, which the attempt's response says.
 */

export interface SlackSenderOptions {
  /** `SLACK_BOT_TOKEN`. */
  token?: string;
  /** `SLACK_API_URL`, e.g. `https://slack.com/api/`. */
  apiUrl: string;
  /** Per request (contract §9: 15 s). */
  timeoutMs?: number;
}

/** The metadata event type our messages carry; `event_payload.id` is the message id. */
const SLACK_METADATA_TYPE = "switchyard_message";

/** How far back the redelivery check reads: pages of the channel's history since the message was made. */
const HISTORY_PAGES = 5;
const HISTORY_PAGE_SIZE = 200;
/** Our clock and Slack's may differ: the history is read from a little before the message's timestamp. */
const CLOCK_SLACK_MS = 10 * 60_000;
/** A first attempt this long after the message was made may be the re-run of one cut off by a crash. */
const LATE_MS = 30_000;

/** Slack's answers that mean "try again later"; any other error it names is about the request or the setup. */
const TRANSIENT = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"]);
/** The redelivery check cannot be made (a `#name`, no history scope, not a member): post without it. */
const CANNOT_CHECK = new Set(["channel_not_found", "not_in_channel", "missing_scope", "no_permission"]);

/** A Slack error as an attempt's outcome; Slack's messages and error codes hold no token. */
function slackFailure(err: unknown): SendOutcome {
  const e = err as { code?: string; data?: WebAPIPlatformError["data"]; statusCode?: number; retryAfter?: number };
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return failedOutcome("Slack rate limit (ratelimited)", {
        statusCode: 429,
        retryAfterMs: (e.retryAfter ?? 1) * 1000,
      });
    case ErrorCode.PlatformError: {
      const code = String(e.data?.error ?? "unknown_error");
      const response = JSON.stringify({ ok: false, error: code }).slice(0, 500);
      if (code === "ratelimited") return failedOutcome("Slack rate limit (ratelimited)", { statusCode: 429, response });
      return failedOutcome(`Slack: ${code}`, { statusCode: 200, response, permanent: !TRANSIENT.has(code) });
    }
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      const retryable = status >= 500 || status === 408 || status === 429;
      return failedOutcome(`Slack answered HTTP ${status}`, { statusCode: status, permanent: !retryable });
    }
    case ErrorCode.RequestError:
      return failedOutcome(`Slack request failed: ${(err as { original?: Error }).original?.message ?? "unknown"}`);
  }
  // A 429 without a usable Retry-After ends the SDK's call with a plain error.
  const message = err instanceof Error ? err.message : String(err);
  if (/retry header|rate limit/i.test(message)) return failedOutcome("Slack rate limit", { statusCode: 429 });
  return failedOutcome(`Slack: ${message}`);
}

/** Whether an earlier attempt may have posted the message. */
function mayBeRepeat(message: OutgoingMessage, now = Date.now()): boolean {
  const made = Date.parse(message.payload.timestamp);
  return message.attempt > 1 || !Number.isFinite(made) || now - made > LATE_MS;
}

/** Seconds since the epoch as Slack's `oldest` wants them, or undefined for an unreadable timestamp. */
function oldestFor(message: OutgoingMessage): string | undefined {
  const t = Date.parse(message.payload.timestamp);
  return Number.isFinite(t) ? ((t - CLOCK_SLACK_MS) / 1000).toFixed(6) : undefined;
}

type Found = { ts: string } | { cannotCheck: string } | null;

/** The message's earlier post in the channel, if an earlier attempt made it. */
async function findPosted(client: WebClient, channel: string, message: OutgoingMessage): Promise<Found> {
  let cursor: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    let res;
    try {
      res = await client.conversations.history({
        channel,
        oldest: oldestFor(message),
        limit: HISTORY_PAGE_SIZE,
        include_all_metadata: true,
        cursor,
      });
    } catch (err) {
      const code = (err as { code?: string; data?: { error?: string } }).code;
      const slackError = (err as { data?: { error?: string } }).data?.error;
      if (code === ErrorCode.PlatformError && slackError && CANNOT_CHECK.has(slackError))
        return { cannotCheck: slackError };
      throw err;
    }
    for (const m of res.messages ?? []) {
      const payload = m.metadata?.event_payload as Record<string, unknown> | undefined;
      if (m.metadata?.event_type === SLACK_METADATA_TYPE && payload?.id === message.id && m.ts) return { ts: m.ts };
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) return null;
  }
  return null;
}

export function slackSender(options: SlackSenderOptions): Sender {
  const client = options.token
    ? new WebClient(options.token, {
        slackApiUrl: options.apiUrl,
        // Our retry schedule retries, and a 429 hands its Retry-After to it instead of waiting here.
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: options.timeoutMs ?? 15_000,
        logLevel: LogLevel.ERROR,
      })
    : null;

  return async (target, message) => {
    if (!client) return failedOutcome("SLACK_BOT_TOKEN is not set", { permanent: true });
    const channel = target.channel;
    if (!channel) return failedOutcome("the subscription has no channel", { permanent: true });
    try {
      let note = "";
      if (mayBeRepeat(message)) {
        const found = await findPosted(client, channel, message);
        if (found && "ts" in found) return { ok: true, statusCode: 200, response: `already posted: ts ${found.ts}` };
        if (found) note = ` (redelivery check skipped: ${found.cannotCheck})`;
      }
      const { text, blocks } = isDigest(message.payload)
        ? digestMessage(message.payload)
        : slackMessage(message.payload);
      const res = await client.chat.postMessage({
        channel,
        text,
        blocks,
        metadata: { event_type: SLACK_METADATA_TYPE, event_payload: { id: message.id, type: message.payload.type } },
        // Links to GitHub and Linear would unfurl into large previews: the message stays one line.
        unfurl_links: false,
        unfurl_media: false,
      });
      return { ok: true, statusCode: 200, response: `posted: ts ${res.ts ?? "?"} in ${res.channel ?? channel}${note}` };
    } catch (err) {
      return slackFailure(err);
    }
  };
}
