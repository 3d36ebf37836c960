import { describe, expect, it } from "vitest";
import { normalizePagerduty } from "../../../src/platforms/pagerduty/normalize.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { expectIncidentInvariants, pagerdutyDelivery, RECEIVED_AT } from "../../helpers/incident-delivery.js";

const fixtures = loadFixtures("pagerduty");
type Obj = Record<string, any>;

const normalize = (payload: Obj) => {
  const d = pagerdutyDelivery(payload);
  const e = normalizePagerduty(d);
  expectIncidentInvariants(e, d);
  return e;
};
/** The triggered fixture with its event (and its data) changed. */
const triggered = (event: Obj = {}, data: Obj = {}) => {
  const base = structuredClone(fixtures.incident_triggered!.payload);
  return { event: { ...base.event, ...event, data: { ...base.event.data, ...data } } };
};

describe("PagerDuty normalizer over fixtures/pagerduty", () => {
  it.each(Object.keys(fixtures).sort())("%s keeps the invariants", (name) => {
    const f = fixtures[name]!;
    expect(f.source).toMatch(/^https:\/\/github\.com\/PagerDuty\/developer-docs\//);
    const e = normalize(f.payload);
    expect(e.type).toBe(`pagerduty.${f.payload.event.event_type}`);
    expect(e.occurredAt.toISOString()).toBe(new Date(f.payload.event.occurred_at).toISOString());
  });

  it("one incident triggered, acknowledged, resolved: one id, its status after each, what PagerDuty says of it", () => {
    const rows = ["incident_triggered", "incident_acknowledged", "incident_resolved"].map(
      (name) => normalize(fixtures[name]!.payload).rows.incident!,
    );
    expect(rows.map((r) => [r.action, r.status])).toEqual([
      ["incident.triggered", "open"],
      ["incident.acknowledged", "acknowledged"],
      ["incident.resolved", "resolved"],
    ]);
    for (const [i, row] of rows.entries()) {
      const event = fixtures[["incident_triggered", "incident_acknowledged", "incident_resolved"][i]!]!.payload.event;
      expect(row).toEqual({
        source: "pagerduty",
        incidentId: "PGR0VU2",
        action: event.event_type,
        status: row.status,
        title: "A little bump in the road",
        service: "API Service",
        environment: null,
        repository: null,
        url: "https://acme.pagerduty.com/incidents/PGR0VU2",
        urgency: "high",
        openedAt: new Date("2020-04-09T15:16:27Z"),
        at: new Date(event.occurred_at),
        text: "A little bump in the road",
      });
    }
    const e = normalize(fixtures.incident_acknowledged!.payload);
    expect(e).toMatchObject({ subject: "incident:pagerduty:PGR0VU2", keys: ["incident:pagerduty:PGR0VU2"] });
    expect(e.actor).toBe("Tenex Engineer");
    expect(normalize(fixtures.incident_triggered!.payload).actor).toBeNull();
  });

  it("other incident events take the status from data.status", () => {
    expect(normalize(fixtures.incident_priority_updated!.payload).rows.incident).toMatchObject({
      action: "incident.priority_updated",
      status: "open",
    });
    const escalated = (status: unknown) => normalize(triggered({ event_type: "incident.escalated" }, { status }));
    expect(escalated("acknowledged").rows.incident?.status).toBe("acknowledged");
    expect(escalated("resolved").rows.incident?.status).toBe("resolved");
    // No status said: no row rather than a guessed one, but still about the incident.
    for (const status of [undefined, "snoozed", 3]) {
      const e = escalated(status);
      expect(e.rows.incident).toBeUndefined();
      expect(e.subject).toBe("incident:pagerduty:PGR0VU2");
    }
    // The event type wins over a stale data.status.
    expect(
      normalize(triggered({ event_type: "incident.resolved" }, { status: "triggered" })).rows.incident?.status,
    ).toBe("resolved");
    expect(
      normalize(triggered({ event_type: "incident.reopened" }, { status: "resolved" })).rows.incident?.status,
    ).toBe("open");
  });

  it("a note is about its incident and references the links in it, without an incident row", () => {
    const note = structuredClone(fixtures.incident_annotated!.payload);
    note.event.data.content =
      "Rolled back https://github.com/Acme/Web/pull/7 and https://linear.app/acme/issue/ENG-42/x";
    const e = normalize(note);
    expect(e.rows).toEqual({});
    expect(e.keys).toEqual(["incident:pagerduty:PGR0VU2", "github:pr:acme/web#7", "linear:issue:ENG-42"]);
  });

  it("a description naming a commit and a PR: in the text and the keys", () => {
    const sha = "a".repeat(40);
    const e = normalize(
      triggered(
        {},
        {
          description: `after deploy of https://github.com/acme/web/commit/${sha}`,
          body: { details: "see https://github.com/acme/web/pull/12" },
        },
      ),
    );
    expect(e.rows.incident?.text).toBe(
      `A little bump in the road\nafter deploy of https://github.com/acme/web/commit/${sha}\nsee https://github.com/acme/web/pull/12`,
    );
    expect(e.keys).toEqual(["incident:pagerduty:PGR0VU2", `github:commit:acme/web@${sha}`, "github:pr:acme/web#12"]);
  });

  it("a service event is stored without an incident", () => {
    const e = normalize(fixtures.service_updated!.payload);
    expect(e).toMatchObject({ subject: null, keys: [], rows: {}, actor: null });
  });

  it("reads odd shapes as absent: no id, an id too long, no dates, no service", () => {
    expect(normalize(triggered({}, { id: undefined })).rows.incident).toBeUndefined();
    expect(normalize(triggered({}, { id: "P".repeat(300) })).subject).toBeNull();
    const e = normalize(triggered({ occurred_at: "yesterday" }, { created_at: null, service: "API", html_url: 5 }));
    expect(e.occurredAt.toISOString()).toBe(RECEIVED_AT);
    expect(e.rows.incident).toMatchObject({ openedAt: null, service: null, url: null, at: new Date(RECEIVED_AT) });
    expect(normalize({ event: null }).rows).toEqual({});
    expect(normalize({}).subject).toBeNull();
  });
});
