import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFixtures } from "../helpers/fixtures.js";
import { API_TOKENS, SECRETS, startTestService, useTestService, waitFor } from "../helpers/service.js";
import { pagerdutyRequest, post, sentryRequest, type SignedRequest } from "../../kit/sign.js";

const LIMITS = { pagerduty: 8192, sentry: 16_384 };
const ctx = useTestService({
  WEBHOOK_MAX_BYTES_PAGERDUTY: String(LIMITS.pagerduty),
  WEBHOOK_MAX_BYTES_SENTRY: String(LIMITS.sentry),
});
const pd = loadFixtures("pagerduty");
const sentry = loadFixtures("sentry");
type Obj = Record<string, any>;

const send = (platform: "pagerduty" | "sentry", req: SignedRequest, url = ctx.url) =>
  post(`${url}/webhooks/${platform}`, req);
/** GET /api/events/:id once the worker has stored it. */
const storedEvent = (id: string) =>
  waitFor(async () => {
    const res = await fetch(`${ctx.url}/api/events/${id}`, { headers: { authorization: `Bearer ${API_TOKENS[0]}` } });
    return res.status === 200 ? ((await res.json()) as Obj) : null;
  });
/** A PagerDuty fixture about an incident of this test alone. */
const pdIncident = (name: string, incidentId: string): Obj => {
  const payload = structuredClone(pd[name]!.payload);
  payload.event.id = randomUUID();
  payload.event.data.id = incidentId;
  return payload;
};

describe("POST /webhooks/pagerduty", () => {
  it("stores triggered, acknowledged and resolved of one incident, each with its incident_events row", async () => {
    const incidentId = `P${randomUUID().slice(0, 6).toUpperCase()}`;
    const statuses = {
      incident_triggered: "open",
      incident_acknowledged: "acknowledged",
      incident_resolved: "resolved",
    };
    for (const [name, status] of Object.entries(statuses)) {
      const payload = pdIncident(name, incidentId);
      const webhookId = randomUUID();
      // PagerDuty rotating: one signature per secret, one of them ours.
      const res = await send("pagerduty", pagerdutyRequest(payload, ["not-ours", SECRETS.pagerduty[1]!], webhookId));
      expect(res.status, res.text).toBe(202);
      expect(res.json).toEqual({ id: expect.any(String), duplicate: false });
      const { event, rows, raw } = await storedEvent(res.json.id);
      expect(event).toMatchObject({
        platform: "pagerduty",
        type: `pagerduty.${payload.event.event_type}`,
        deliveryId: webhookId,
        subject: `incident:pagerduty:${incidentId}`,
        keys: [`incident:pagerduty:${incidentId}`],
        priority: name === "incident_triggered" ? "critical" : "high",
        occurredAt: new Date(payload.event.occurred_at).toISOString(),
      });
      expect(rows.incident).toMatchObject({
        eventId: res.json.id,
        source: "pagerduty",
        incidentId,
        action: payload.event.event_type,
        status,
        title: "A little bump in the road",
        service: "API Service",
        urgency: "high",
        openedAt: "2020-04-09T15:16:27.000Z",
        at: new Date(payload.event.occurred_at).toISOString(),
      });
      // Raw first: the exact body, and no signature among the kept headers.
      expect(raw.body).toBe(JSON.stringify(payload));
      expect(raw.headers["x-webhook-id"]).toBe(webhookId);
      expect(Object.keys(raw.headers).filter((h) => /signature/.test(h))).toEqual([]);
    }
  });

  it("stores a service event without an incident row", async () => {
    const payload = structuredClone(pd.service_updated!.payload);
    payload.event.id = randomUUID();
    const res = await send("pagerduty", pagerdutyRequest(payload, SECRETS.pagerduty[0]!));
    expect(res.status, res.text).toBe(202);
    const { event, rows } = await storedEvent(res.json.id);
    expect(event).toMatchObject({ type: "pagerduty.service.updated", priority: "normal", subject: null });
    expect(rows).toEqual({});
  });

  it("dedupes a repeated X-Webhook-Id and a replayed body, however its signature list is spelled", async () => {
    const payload = pdIncident("incident_triggered", `P${randomUUID().slice(0, 6).toUpperCase()}`);
    const req = pagerdutyRequest(payload, SECRETS.pagerduty);
    const first = await send("pagerduty", req);
    expect(first.status, first.text).toBe(202);
    expect(await send("pagerduty", req)).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true } });
    const second = req.headers["x-pagerduty-signature"]!.split(",")[1]!;
    const replayed = {
      ...req,
      headers: { ...req.headers, "x-webhook-id": randomUUID(), "x-pagerduty-signature": second },
    };
    expect(await send("pagerduty", replayed)).toMatchObject({ status: 200, json: { duplicate: true } });
  });

  it("refuses a bad signature (401), no signature or X-Webhook-Id (400), a body over its limit (413)", async () => {
    const payload = pdIncident("incident_triggered", "PREFUSED");
    expect((await send("pagerduty", pagerdutyRequest(payload, "wrong"))).status).toBe(401);
    const req = pagerdutyRequest(payload, SECRETS.pagerduty[0]!);
    expect((await send("pagerduty", { ...req, body: req.body.replace("high", "low") })).status).toBe(401);
    for (const h of ["x-pagerduty-signature", "x-webhook-id"]) {
      const { [h]: _, ...headers } = req.headers;
      const res = await send("pagerduty", { ...req, headers });
      expect(res.status, h).toBe(400);
      expect(res.json.error).toMatch(/missing header/);
    }
    payload.event.data.description = "x".repeat(LIMITS.pagerduty);
    expect((await send("pagerduty", pagerdutyRequest(payload, SECRETS.pagerduty[0]!))).status).toBe(413);
    // Signed, but not JSON.
    const notJson = { body: "{", headers: { ...req.headers } };
    notJson.headers["x-pagerduty-signature"] =
      `v1=${createHmac("sha256", SECRETS.pagerduty[0]!).update("{").digest("hex")}`;
    const malformed = await send("pagerduty", notJson);
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toBe("body is not JSON");
  });
});

describe("POST /webhooks/sentry", () => {
  /** A Sentry fixture about an issue (or metric alert) of this test alone. */
  const fresh = (name: string) => {
    const payload = structuredClone(sentry[name]!.payload);
    const id = String(Math.floor(Math.random() * 1e12));
    if (payload.data.issue) payload.data.issue.id = id;
    if (payload.data.event) payload.data.event.issue_id = id;
    if (payload.data.metric_alert) payload.data.metric_alert.id = id;
    return { kind: sentry[name]!.kind, payload, id };
  };

  it("stores issues, issue alerts and metric alerts with incident rows; installations without", async () => {
    const cases: Array<[string, Obj]> = [
      ["issue_created", { action: "issue.created", status: "open", service: "front-end" }],
      ["issue_resolved", { action: "issue.resolved", status: "resolved", service: "front-end" }],
      ["event_alert_triggered", { action: "event_alert.triggered", status: "open", at: "2019-08-19T21:06:17.677Z" }],
      [
        "metric_alert_critical",
        { action: "metric_alert.critical", status: "open", service: "bar", urgency: "critical" },
      ],
    ];
    for (const [name, row] of cases) {
      const { kind, payload, id } = fresh(name);
      const incidentId = name.startsWith("metric") ? `metric-alert-${id}` : id;
      const requestId = randomUUID();
      const res = await send("sentry", sentryRequest(kind, payload, SECRETS.sentry[1]!, requestId));
      expect(res.status, res.text).toBe(202);
      const { event, rows } = await storedEvent(res.json.id);
      expect(event).toMatchObject({
        platform: "sentry",
        type: `sentry.${row.action}`,
        deliveryId: requestId,
        subject: `incident:sentry:${incidentId}`,
      });
      expect(rows.incident).toMatchObject({ ...row, source: "sentry", incidentId });
    }
    const { kind, payload } = fresh("installation_created");
    const res = await send("sentry", sentryRequest(kind, payload, SECRETS.sentry[0]!));
    expect(res.status, res.text).toBe(202);
    const { event, rows } = await storedEvent(res.json.id);
    expect(event).toMatchObject({ type: "sentry.installation.created", subject: null, priority: "normal" });
    expect(rows).toEqual({});
  });

  it("dedupes a repeated Request-ID and a replayed body", async () => {
    const { kind, payload } = fresh("issue_created");
    const req = sentryRequest(kind, payload, SECRETS.sentry[0]!);
    const first = await send("sentry", req);
    expect(first.status, first.text).toBe(202);
    expect(await send("sentry", req)).toMatchObject({ status: 200, json: { id: first.json.id, duplicate: true } });
    const replayed = { ...req, headers: { ...req.headers, "request-id": randomUUID() } };
    expect(await send("sentry", replayed)).toMatchObject({ status: 200, json: { duplicate: true } });
  });

  it("refuses a bad signature (401), missing headers (400), a body over its limit (413)", async () => {
    const { kind, payload } = fresh("issue_created");
    expect((await send("sentry", sentryRequest(kind, payload, "wrong"))).status).toBe(401);
    const req = sentryRequest(kind, payload, SECRETS.sentry[0]!);
    for (const h of ["sentry-hook-signature", "request-id", "sentry-hook-resource"]) {
      const { [h]: _, ...headers } = req.headers;
      expect((await send("sentry", { ...req, headers })).status, h).toBe(400);
    }
    payload.data.issue.culprit = "x".repeat(LIMITS.sentry);
    expect((await send("sentry", sentryRequest(kind, payload, SECRETS.sentry[0]!))).status).toBe(413);
  });
});

describe("unconfigured incident receivers", () => {
  let url = "";
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const svc = await startTestService({ PAGERDUTY_WEBHOOK_SECRET: "", SENTRY_CLIENT_SECRET: "" });
    url = svc.url;
    close = () => svc.service.close();
  });
  afterAll(() => close?.());

  it("answer 503 with Retry-After until their secret is set", async () => {
    const pdRes = await fetch(`${url}/webhooks/pagerduty`, {
      method: "POST",
      ...pagerdutyRequest(pd.incident_triggered!.payload, SECRETS.pagerduty[0]!),
    });
    const sentryRes = await fetch(`${url}/webhooks/sentry`, {
      method: "POST",
      ...sentryRequest("issue", sentry.issue_created!.payload, SECRETS.sentry[0]!),
    });
    for (const res of [pdRes, sentryRes]) {
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(((await res.json()) as Obj).error).toMatch(/not configured/);
    }
  });
});
