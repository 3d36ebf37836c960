/**
 * Why a delivery or request was refused, as the domain says it. Platform, receive and queue code
 * throw these; only the HTTP layer (http/status.ts) turns a reason into a status code.
 */
export type Reason =
  | "missing_header"
  | "malformed"
  | "aborted"
  | "bad_signature"
  | "expired"
  | "too_large"
  | "unsupported_media_type"
  | "invalid_body"
  | "not_configured"
  | "queue_unavailable"
  | "busy";

export class Refused extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
  ) {
    super(message);
  }
}

export const badSignature = (what = "signature does not match") => new Refused("bad_signature", what);
export const expired = (what: string) => new Refused("expired", what);
export const missingHeader = (name: string) => new Refused("missing_header", `missing header ${name}`);
export const malformed = (what: string) => new Refused("malformed", what);
export const invalidBody = (what: string) => new Refused("invalid_body", what);
export const queueUnavailable = () => new Refused("queue_unavailable", "queue unavailable, retry later");

/**
 * A stored delivery that cannot become an event or be correlated, whatever the retries: a shape
 * its platform never sends. It is kept as `unprocessable` with this message (contract §8).
 */
export class Unprocessable extends Error {}

/** The object at `path` of a payload, or Unprocessable naming it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are read loosely after verification
type Obj = Record<string, any>;

export function objectAt(parent: Obj, path: string): Obj {
  const value: unknown = parent[path];
  if (value && typeof value === "object" && !Array.isArray(value)) return value as Obj;
  throw new Unprocessable(`payload.${path} is missing or not an object`);
}
