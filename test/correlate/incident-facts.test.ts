import { describe, expect, it } from "vitest";
import { hasLabel, incidentNames, labelNames } from "../../src/correlate/incident-facts.js";
import { extractFacts } from "../../src/correlate/extract-facts.js";
import { PLATFORM_MODULES } from "../../src/platforms/registry.js";
import type { StoredEvent } from "../../src/shared/event.js";

describe("incidentNames", () => {
  it("reads URLs anywhere, SHAs and `caused by #N` only in a repository's incident", () => {
    const sha = "3f2a".padEnd(40, "0");
    const text =
      `Root cause: ${sha}. Caused by #12, see https://github.com/acme/api/pull/3 and ` +
      "https://linear.app/acme/issue/ENG-42/x; not #13 (#14 neither)";
    expect(incidentNames(text, "acme/shop")).toEqual([
      "github:pr:acme/api#3",
      "linear:issue:ENG-42",
      `github:commit:acme/shop@${sha}`,
      "github:pr:acme/shop#12",
    ]);
    expect(incidentNames(text, null)).toEqual(["github:pr:acme/api#3", "linear:issue:ENG-42"]);
    expect(incidentNames(`${sha}0 is too long`, "acme/shop")).toEqual([]);
    expect(incidentNames(null, "acme/shop")).toEqual([]);
  });
});

describe("labels", () => {
  it("compares names case-insensitively and ignores what is not a label", () => {
    expect(labelNames([{ name: "Incident" }, { id: 1 }, null, "bug"])).toEqual(["Incident"]);
    expect(hasLabel(["Incident"], ["incident"])).toBe(true);
    expect(hasLabel(["sev1"], ["incident"])).toBe(false);
  });
});

describe("a labelled issue becomes an incident", () => {
  const github = (labels: string[], state = "open"): StoredEvent => ({
    id: "00000000-0000-7000-8000-000000000001",
    platform: "github",
    type: "github.issues.labeled",
    occurredAt: new Date("2026-11-09T12:00:00Z"),
    actor: "alice",
    subject: "github:issue:acme/shop#9",
    keys: ["github:repo:acme/shop", "github:issue:acme/shop#9"],
    payload: {
      action: "labeled",
      issue: {
        number: 9,
        title: "Checkout down",
        body: "Regression from #7",
        state,
        html_url: "https://github.com/acme/shop/issues/9",
        labels: labels.map((name) => ({ name })),
        created_at: "2026-11-09T11:00:00Z",
        updated_at: "2026-11-09T12:00:00Z",
        closed_at: state === "closed" ? "2026-11-09T12:00:00Z" : null,
      },
    },
    rows: {
      github: {
        name: "issues",
        action: "labeled",
        repository: "acme/shop",
        number: 9,
        sha: null,
        ref: null,
        baseRef: null,
        headRef: null,
        state,
        merged: null,
        title: "Checkout down",
        url: null,
        sender: "alice",
      },
    },
  });
  const facts = (e: StoredEvent, labels?: string[]) =>
    extractFacts(e, PLATFORM_MODULES.github.facts, () => true, labels);

  it("with INCIDENT_LABELS (default `incident`): its entity, facts and links", () => {
    const f = facts(github(["INCIDENT", "sev2"]));
    expect(f.incident).toMatchObject({
      key: "incident:github:acme/shop#9",
      status: "open",
      openedAt: new Date("2026-11-09T11:00:00Z"),
      repository: "acme/shop",
      names: ["github:pr:acme/shop#7"],
    });
    expect(f.issueLabels).toEqual({
      key: "github:issue:acme/shop#9",
      labels: ["INCIDENT", "sev2"],
      at: new Date("2026-11-09T12:00:00Z"),
    });
    expect(f.links.map((l) => `${l.from} ${l.relation} ${l.to} [${l.rule}]`)).toEqual([
      "incident:github:acme/shop#9 tracked_in github:issue:acme/shop#9 [incident-label]",
      "incident:github:acme/shop#9 names github:pr:acme/shop#7 [incident-names]",
    ]);
    const closed = facts(github(["incident"], "closed"));
    expect(closed.incident).toMatchObject({ status: "resolved", resolvedAt: new Date("2026-11-09T12:00:00Z") });
  });

  it("not without the label, nor with another configured label set", () => {
    expect(facts(github(["bug"])).incident).toBeUndefined();
    expect(facts(github(["incident"]), ["outage"]).incident).toBeUndefined();
    expect(facts(github(["Outage"]), ["outage"]).incident?.key).toBe("incident:github:acme/shop#9");
  });
});
