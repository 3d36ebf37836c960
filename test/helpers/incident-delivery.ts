import { pagerdutyEventType, pagerdutyType } from "../../src/platforms/pagerduty/classify.js";
import { sentryType } from "../../src/platforms/sentry/classify.js";
import type { Delivery, NormalizedEvent } from "../../src/shared/event.js";
import { expect } from "vitest";

export const RECEIVED_AT = "2026-12-01T00:00:00.000Z";

const delivery = (platform: "pagerduty" | "sentry", type: string, payload: unknown, headers = {}): Delivery => ({
  id: "0190e3a0-0000-7000-8000-000000000000",
  platform,
  deliveryId: "delivery-1",
  receivedAt: RECEIVED_AT,
  contentType: "application/json",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(payload),
  type,
  priority: "normal",
});

/** A stored PagerDuty delivery of `payload`, typed as its receiver types it. */
export const pagerdutyDelivery = (payload: Record<string, unknown>) =>
  delivery("pagerduty", pagerdutyType(pagerdutyEventType(payload)), payload, { "x-webhook-id": "wh-1" });

/** A stored Sentry delivery of `payload` under `resource`, typed as its receiver types it. */
export const sentryDelivery = (resource: string, payload: Record<string, unknown>, timestamp?: string | null) =>
  delivery("sentry", sentryType(resource, payload), payload, {
    "sentry-hook-resource": resource,
    ...(timestamp ? { "sentry-hook-timestamp": timestamp } : {}),
  });

const KEY_SHAPES = [
  /^incident:(pagerduty|sentry):[^\s:]+$/,
  /^github:(pr|issue):[a-z0-9_.-]+\/[a-z0-9_.-]+#[1-9]\d*$/,
  /^github:commit:[a-z0-9_.-]+\/[a-z0-9_.-]+@[0-9a-f]{40}$/,
  /^linear:issue:[A-Z0-9_]{1,7}-[1-9]\d{0,8}$/,
];

/** contract §3/§4: what every normalized event keeps, and an incident row's own invariants. */
export function expectIncidentInvariants(e: NormalizedEvent, d: Delivery) {
  expect(e.type).toBe(d.type);
  if (e.subject !== null) expect(e.keys[0]).toBe(e.subject);
  for (const key of e.keys)
    expect(
      KEY_SHAPES.some((s) => s.test(key)),
      key,
    ).toBe(true);
  expect(new Set(e.keys).size).toBe(e.keys.length);
  expect(Number.isNaN(e.occurredAt.getTime())).toBe(false);
  const row = e.rows.incident;
  if (!row) return;
  expect(Object.keys(e.rows)).toEqual(["incident"]);
  expect(e.subject).toBe(`incident:${row.source}:${row.incidentId}`);
  expect(row.at.getTime()).toBe(e.occurredAt.getTime());
  expect(["open", "acknowledged", "resolved"]).toContain(row.status);
}
