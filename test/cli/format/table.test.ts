import { describe, expect, it } from "vitest";
import { aligned, fields, table } from "../../../src/cli/format/table.js";
import { deliveriesTable, eventsTable, rulesTable } from "../../../src/cli/format/lists.js";

describe("table", () => {
  it("aligns columns under an upper-case header, without borders or trailing spaces", () => {
    const out = table(
      ["name", "n"],
      [
        ["a", 1],
        ["longer name", 22],
        ["none", null],
      ],
    );
    expect(out.split("\n")).toEqual(["NAME         N", "a            1", "longer name  22", "none"]);
  });

  it("measures wide characters as two columns", () => {
    const lines = table(
      ["k", "v"],
      [
        ["日本", "x"],
        ["ab", "y"],
      ],
    ).split("\n");
    // "日本" takes four terminal columns: the second column starts at the same place on each line.
    expect(lines[1]).toBe("日本  x");
    expect(lines[2]).toBe("ab    y");
  });

  it("says so when there are no rows", () => {
    expect(table(["a"], [], "no events")).toBe("no events");
  });

  it("lines up labels and values, leaving out absent ones", () => {
    expect(
      fields([
        ["kind", "pr"],
        ["url", null],
        ["first seen", "today"],
      ]),
    ).toBe("kind        pr\nfirst seen  today");
  });

  it("aligns columns left or right", () => {
    expect(
      aligned(
        [
          ["a", "1", "x"],
          ["bbb", "100", "y"],
        ],
        ["left", "right"],
      ),
    ).toBe("a      1  x\nbbb  100  y");
  });
});

describe("list tables", () => {
  it("events, with the cursor of the next page", () => {
    const out = eventsTable({
      items: [
        {
          id: "0190-a",
          type: "github.push",
          occurredAt: "2026-11-01T12:00:00Z",
          subject: "github:repo:acme/shop",
          actor: "octocat",
        },
      ],
      next: "abc",
    });
    expect(out.split("\n")).toEqual([
      "OCCURRED              TYPE         SUBJECT                ACTOR    ID",
      "2026-11-01 12:00:00Z  github.push  github:repo:acme/shop  octocat  0190-a",
      "more: --cursor abc",
    ]);
    expect(eventsTable({ items: [], next: null })).toBe("no events");
  });

  it("deliveries, errors clipped to one line", () => {
    const out = deliveriesTable({
      items: [
        {
          id: "id-1",
          platform: "deploy",
          deliveryId: "d-1",
          receivedAt: "2026-11-01T12:00:00Z",
          status: "unprocessable",
          error: "bad date\nat line 3",
        },
      ],
      next: null,
    });
    expect(out).toContain("unprocessable  d-1          id-1  bad date…");
  });

  it("rules, built-in and custom", () => {
    const out = rulesTable({
      items: [
        {
          name: "pr-head-commit",
          builtin: true,
          enabled: true,
          relation: "contains",
          confidence: 1,
          description: "A PR's head SHA",
        },
        {
          name: "ops-keys",
          builtin: false,
          enabled: false,
          version: 2,
          definition: { on: "github.pull_request.*", link: { relation: "references", confidence: 0.8 } },
        },
      ],
    }).split("\n");
    expect(lines(out)).toEqual([
      ["NAME", "KIND", "ENABLED", "RELATION", "CONFIDENCE", "MATCHES"],
      ["pr-head-commit", "built-in", "yes", "contains", "1", "A PR's head SHA"],
      ["ops-keys", "custom v2", "no", "references", "0.8", "on github.pull_request.*"],
    ]);
  });
});

/** Table lines split into cells (two or more spaces apart). */
const lines = (out: string[]) => out.map((l) => l.split(/ {2,}/));
