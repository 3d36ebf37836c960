import { describe, expect, it } from "vitest";
import { normalizeSentry } from "../../../src/platforms/sentry/normalize.js";
import { loadFixtures } from "../../helpers/fixtures.js";
import { expectIncidentInvariants, RECEIVED_AT, sentryDelivery } from "../../helpers/incident-delivery.js";

const fixtures = loadFixtures("sentry");
type Obj = Record<string, any>;
// 30 s before RECEIVED_AT, as Sentry-Hook-Timestamp gives it (seconds)
const HOOK_AT = String(Date.parse(RECEIVED_AT) / 1000 - 30);

const normalize = (resource: string, payload: Obj, timestamp: string | null = HOOK_AT) => {
  const d = sentryDelivery(resource, payload, timestamp);
  const e = normalizeSentry(d);
  expectIncidentInvariants(e, d);
  return e;
};
const fixture = (name: string) => normalize(fixtures[name]!.kind, fixtures[name]!.payload);

describe("Sentry normalizer over fixtures/sentry", () => {
  it.each(Object.keys(fixtures).sort())("%s keeps the invariants", (name) => {
    expect(fixtures[name]!.source).toMatch(/^https:\/\/docs\.sentry\.io\/.+\/webhooks\//);
    fixture(name);
  });

  it("an issue created, then resolved: one incident by the issue id, opened at firstSeen", () => {
    const created = fixture("issue_created");
    const resolved = fixture("issue_resolved");
    const common = {
      source: "sentry",
      incidentId: "1170820242",
      title: "ReferenceError: blooopy is not defined",
      service: "front-end",
      environment: null,
      repository: null,
      url: null,
      urgency: null,
      openedAt: new Date("2019-08-19T20:58:37.391Z"),
      at: new Date(Number(HOOK_AT) * 1000),
    };
    expect(created.rows.incident).toEqual({
      ...common,
      action: "issue.created",
      status: "open",
      text: "ReferenceError: blooopy is not defined\nFRONT-END-9\n?(runner)\nblooopy is not defined",
    });
    expect(resolved.rows.incident).toEqual({
      ...common,
      action: "issue.resolved",
      status: "resolved",
      text: "ReferenceError: blooopy is not defined\nFRONT-END-9\n?(runner)\nblooopy is not defined\nlatest",
    });
    expect(created).toMatchObject({ subject: "incident:sentry:1170820242", actor: "Sentry" });
    expect(resolved.actor).toBe("Meredith Heller");
  });

  it("an issue's status after other actions: resolved only while Sentry says so", () => {
    const issue = (action: string, status: string) =>
      normalize("issue", { action, data: { issue: { ...fixtures.issue_created!.payload.data.issue, status } } }).rows
        .incident!.status;
    expect(issue("assigned", "resolved")).toBe("resolved");
    expect(issue("assigned", "unresolved")).toBe("open");
    expect(issue("archived", "ignored")).toBe("open");
    expect(issue("unresolved", "resolved")).toBe("open"); // the action says what it became
  });

  it("an issue alert names the issue, its environment and release (often the commit shipped)", () => {
    const e = fixture("event_alert_triggered");
    expect(e.rows.incident).toMatchObject({
      incidentId: "1117540176",
      action: "event_alert.triggered",
      status: "open",
      title: "ReferenceError: heck is not defined",
      environment: null,
      url: "https://sentry.io/organizations/test-org/issues/1117540176/events/e4874d664c3540c1a32eab185f12c5ab/",
      at: new Date("2019-08-19T21:06:17.677Z"),
    });
    const sha = "b".repeat(40);
    const payload = structuredClone(fixtures.event_alert_triggered!.payload);
    Object.assign(payload.data.event, {
      release: sha,
      project_slug: "web",
      tags: [["environment", "production"]],
      message: "after https://github.com/acme/web/pull/9",
    });
    const withRelease = normalize("event_alert", payload);
    expect(withRelease.rows.incident).toMatchObject({ service: "web", environment: "production" });
    expect(withRelease.rows.incident!.text).toContain(sha);
    expect(withRelease.keys).toEqual(["incident:sentry:1117540176", "github:pr:acme/web#9"]);
    payload.data.event.environment = "staging";
    expect(normalize("event_alert", payload).rows.incident!.environment).toBe("staging");
  });

  it("a metric alert is an incident of its own, apart from issue ids", () => {
    const critical = fixture("metric_alert_critical");
    expect(critical.rows.incident).toEqual({
      source: "sentry",
      incidentId: "metric-alert-4",
      action: "metric_alert.critical",
      status: "open",
      title: "Critical: Too many errors",
      service: "bar",
      environment: null,
      repository: null,
      url: "https://sentry.io/organizations/baz/alerts/1/",
      urgency: "critical",
      openedAt: new Date("2020-09-13T12:26:40Z"),
      at: new Date(Number(HOOK_AT) * 1000),
      text: "Critical: Too many errors\n1000 events in the last 10 minutes\\nFilter: level:error\nlevel:error",
    });
    expect(critical.subject).toBe("incident:sentry:metric-alert-4");
    expect(fixture("metric_alert_resolved").rows.incident).toMatchObject({
      incidentId: "metric-alert-4",
      status: "resolved",
      urgency: null,
    });
  });

  it("installations and comments are stored without an incident; a comment's links are kept", () => {
    expect(fixture("installation_created")).toMatchObject({
      subject: null,
      keys: [],
      rows: {},
      actor: "Meredith Heller",
    });
    expect(fixture("comment_created")).toMatchObject({ subject: null, keys: [], rows: {} });
    const comment = structuredClone(fixtures.comment_created!.payload);
    comment.data.comment = "fixed by https://github.com/acme/web/pull/10";
    expect(normalize("comment", comment).keys).toEqual(["github:pr:acme/web#10"]);
    expect(normalize("error", { action: "created", data: { error: { issue_id: "5" } } }).rows).toEqual({});
  });

  it("a hook timestamp absent, unreadable or far from the receipt: the receive time; odd shapes read as absent", () => {
    const e = normalize("issue", fixtures.issue_created!.payload, "soon");
    expect(e.occurredAt.toISOString()).toBe(RECEIVED_AT);
    const at = (timestamp: number) =>
      normalize(
        "issue",
        fixtures.issue_created!.payload,
        String(Date.parse(RECEIVED_AT) / 1000 + timestamp),
      ).rows.incident!.at.toISOString();
    expect(at(-30)).not.toBe(RECEIVED_AT);
    expect(at(10 * 365 * 86400)).toBe(RECEIVED_AT); // unsigned: a far-future time would pin the status
    expect(at(-3600)).toBe(RECEIVED_AT);
    expect(normalize("issue", fixtures.issue_created!.payload, null).occurredAt.toISOString()).toBe(RECEIVED_AT);
    expect(normalize("issue", { action: "created", data: { issue: { id: 42 } } }).rows.incident?.incidentId).toBe("42");
    expect(normalize("issue", { action: "created", data: { issue: { id: {} } } }).rows).toEqual({});
    expect(normalize("metric_alert", { action: "critical", data: [] }).rows).toEqual({});
    expect(normalize("event_alert", { action: "triggered" }).subject).toBeNull();
  });
});
