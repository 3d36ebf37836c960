import type { Platform, Priority } from "../shared/event.js";

/** The request as a receiver sees it: the exact raw body and lower-cased headers. */
export interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  rawBody: Buffer;
  body: string;
}

/** A verified delivery, identified and classified cheaply enough for the receive path. */
export interface Accepted {
  deliveryId: string;
  type: string;
  priority: Priority;
}

/** A verified request answered directly, without enqueueing (Slack's url_verification). */
export interface Answered {
  answer: { status: number; body: unknown };
}

/** One sender's receiver: verifies with the platform's own scheme and names the delivery. */
export interface Receiver {
  platform: Platform;
  contentTypes: readonly string[];
  /** Throws HttpError for anything it refuses. Runs before any parsing the signature does not cover. */
  accept(req: RawRequest): Promise<Accepted | Answered>;
}

export function header(req: RawRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
