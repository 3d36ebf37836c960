import { describe, expect, it } from "vitest";
import { correlationId, type Correlated } from "../../src/outbound/correlation.js";
import { envelopeOf, messageBodyOf, streamData } from "../../src/outbound/envelope.js";
import type { OutboxItem } from "../../src/shared/outbound.js";

/** A message's correlation id: the entity chain it belongs to, read from the item alone. */

const ref = (key: string) => ({ key, title: null, url: null });
const milestone = (type: string, data: unknown, subject: string | null = "subject:of:row"): Correlated => ({
  kind: "milestone",
  type,
  subject,
  data,
});
const event = (subject: string | null, keys: string[]): Correlated => ({
  kind: "event",
  type: "github.pull_request.closed",
  subject,
  data: { id: "e1", subject, keys },
});

describe("correlationId", () => {
  it("names the entity each milestone is about", () => {
    const deploy = { key: "deploy:generic:d1" };
    expect(correlationId(milestone("issue.shipped", { deploy, issue: ref("linear:issue:ENG-42") }))).toBe(
      "linear:issue:ENG-42",
    );
    expect(correlationId(milestone("pr.shipped", { deploy, pullRequest: ref("github:pr:acme/web#7") }))).toBe(
      "github:pr:acme/web#7",
    );
    expect(
      correlationId(
        milestone("pr.reverted", { pullRequest: ref("github:pr:acme/web#7"), revertedBy: ref("github:pr:acme/web#9") }),
      ),
    ).toBe("github:pr:acme/web#7");
    expect(correlationId(milestone("deploy.changes", { deploy }))).toBe("deploy:generic:d1");
    expect(correlationId(milestone("deploy.rolled_back", { deploy, rolledBack: "deploy:generic:d0" }))).toBe(
      "deploy:generic:d1",
    );
    expect(
      correlationId(milestone("incident.linked", { incident: ref("incident:pagerduty:P1"), deploy, confidence: 0.8 })),
    ).toBe("incident:pagerduty:P1");
  });

  it("names a link's issue end if it has one, else its from end", () => {
    const link = (from: string, to: string) => milestone("link.created", { link: { from, to, relation: "x" } });
    expect(correlationId(link("github:pr:acme/web#7", "linear:issue:ENG-42"))).toBe("linear:issue:ENG-42");
    expect(correlationId(link("github:issue:acme/web#3", "github:commit:acme/web@abc"))).toBe(
      "github:issue:acme/web#3",
    );
    expect(correlationId(link("github:commit:acme/web@abc", "github:pr:acme/web#7"))).toBe(
      "github:commit:acme/web@abc",
    );
  });

  it("falls back to the milestone's subject when its data names no entity", () => {
    expect(correlationId(milestone("issue.shipped", { issue: { key: 42 } }))).toBe("subject:of:row");
    expect(correlationId(milestone("some.future_milestone", {}))).toBe("subject:of:row");
    expect(correlationId(milestone("link.created", null, null))).toBeNull();
  });

  it("prefers an event's Linear issue, then its PR, then its subject, then its first key", () => {
    const pr = "github:pr:acme/web#7";
    const linear = "linear:issue:ENG-42";
    const commit = "github:commit:acme/web@abc";
    expect(correlationId(event(pr, [commit, linear]))).toBe(linear);
    expect(correlationId(event(commit, [commit, pr]))).toBe(pr);
    expect(correlationId(event("slack:message:C1/1.2", ["github:repo:acme/web"]))).toBe("slack:message:C1/1.2");
    expect(correlationId(event(null, ["github:repo:acme/web", commit]))).toBe("github:repo:acme/web");
    expect(correlationId(event(null, []))).toBeNull();
    // Data without keys (not a unified event): the item's subject alone.
    expect(correlationId({ kind: "event", type: "x", subject: "deploy:generic:d1", data: null })).toBe(
      "deploy:generic:d1",
    );
  });
});

describe("the envelope", () => {
  const item: OutboxItem = {
    position: "12",
    id: "0190f5c2-7a3b-7c4d-8e5f-0123456789ab",
    kind: "milestone",
    type: "issue.shipped",
    platform: null,
    repository: "acme/web",
    environment: "production",
    subject: "linear:issue:ENG-42",
    data: { issue: ref("linear:issue:ENG-42") },
    createdAt: "2026-12-07T10:00:00.000Z",
  };
  const envelope = { version: "1", correlationId: "linear:issue:ENG-42", causationId: item.id };

  it("is caused by the outbox row, version 1", () => {
    expect(envelopeOf(item)).toEqual(envelope);
  });

  it("adds to a subscription's body without changing its fields", () => {
    expect(messageBodyOf(item)).toEqual({ type: item.type, timestamp: item.createdAt, data: item.data, ...envelope });
  });

  it("adds to a stream item's data, leaving data that is not an object as it is", () => {
    expect(streamData(item)).toEqual({ ...(item.data as object), ...envelope });
    expect(streamData({ ...item, data: null })).toBeNull();
    expect(streamData({ ...item, data: [1] })).toEqual([1]);
  });
});
