import type { Delivery, NormalizedEvent } from "../../shared/event.js";
import { uniqueKeys } from "../../shared/keys.js";
import { firstDate } from "../../shared/time.js";
import type { PublishedEvent } from "./body.js";
import { canonicalKey } from "./keys.js";

/**
 * The body was validated by the API (publishedEvent); here it is trusted. The payload is the published
 * event with its subject and keys spelled canonically (the raw delivery keeps them as sent), so rules and
 * subscribers read `payload.data.…`, `payload.keys` and `payload.source`, and a rule's `$1` from a key
 * names the entity the key does.
 */
export function normalizeCustom(d: Delivery): NormalizedEvent {
  const b = JSON.parse(d.body) as PublishedEvent;
  const subject = b.subject ? canonicalKey(b.subject) : null;
  const keys = b.keys?.map(canonicalKey);
  return {
    type: d.type,
    occurredAt: firstDate(new Date(d.receivedAt), b.occurredAt),
    actor: null,
    subject,
    keys: uniqueKeys(subject, keys),
    payload: { ...b, ...(subject ? { subject } : {}), ...(keys ? { keys } : {}) },
    rows: {},
  };
}
