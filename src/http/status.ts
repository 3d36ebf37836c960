import type { Reason } from "../shared/errors.js";

/** The HTTP status of each refusal (contract §2): the one place a domain reason becomes a status. */
export const STATUS: Record<Reason, number> = {
  missing_header: 400,
  malformed: 400,
  aborted: 400,
  bad_signature: 401,
  expired: 401,
  too_large: 413,
  unsupported_media_type: 415,
  invalid_body: 422,
  not_configured: 503,
  queue_unavailable: 503,
  busy: 503,
};
