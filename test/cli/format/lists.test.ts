import { describe, expect, it } from "vitest";
import { attemptsTable, subscriptionsTable, type Attempt } from "../../../src/cli/format/lists.js";

/** Table lines split into cells (two or more spaces apart). */
const cells = (out: string) => out.split("\n").map((l) => l.split(/ {2,}/));

describe("subscriptions and their messages", () => {
  const message = (status: Attempt["status"], nextAttemptAt: string | null): Attempt => ({
    id: `m-${status}`,
    type: "deploy.succeeded",
    status,
    attempts: 2,
    lastStatusCode: status === "succeeded" ? 200 : 500,
    lastError: status === "succeeded" ? null : "Internal Server Error",
    nextAttemptAt,
    createdAt: "2026-11-02T09:00:00Z",
  });

  it("the next attempt of pending and failed messages, none for succeeded or dead ones", () => {
    const next = "2026-11-02T09:05:00Z";
    const out = attemptsTable({
      items: [message("pending", next), message("failed", next), message("succeeded", next), message("dead", null)],
      next: "cur",
    });
    const rows = cells(out);
    expect(rows[0]).toEqual(["CREATED", "ID", "TYPE", "STATUS", "ATTEMPTS", "LAST CODE", "NEXT ATTEMPT", "LAST ERROR"]);
    expect(rows[1]).toContain("2026-11-02 09:05:00Z");
    expect(rows[2]).toEqual([
      "2026-11-02 09:00:00Z",
      "m-failed",
      "deploy.succeeded",
      "failed",
      "2",
      "500",
      "2026-11-02 09:05:00Z",
      "Internal Server Error",
    ]);
    expect(rows[3]).not.toContain("2026-11-02 09:05:00Z");
    expect(rows[4]).not.toContain("2026-11-02 09:05:00Z");
    expect(out.split("\n").at(-1)).toBe("more: --cursor cur");
    expect(attemptsTable({ items: [], next: null })).toBe("no deliveries");
  });

  const sub = {
    name: "ship-notes",
    kind: "webhook" as const,
    url: "https://ci.example.com/h",
    types: ["deploy.*"],
    where: {},
  };

  it("why a subscription was disabled, in a column of its own when any has a reason", () => {
    const reason = "the endpoint answered 410 Gone at 2026-11-02T09:00:00.000Z";
    const out = subscriptionsTable({
      items: [
        { ...sub, enabled: true, disabledReason: null },
        { ...sub, name: "gone", enabled: false, disabledReason: reason },
        { ...sub, name: "paused", enabled: false, disabledReason: null },
      ],
    });
    expect(cells(out)).toEqual([
      ["NAME", "KIND", "TO", "TYPES", "WHERE", "ENABLED", "DISABLED BECAUSE"],
      ["ship-notes", "webhook", "https://ci.example.com/h", "deploy.*", "yes"],
      ["gone", "webhook", "https://ci.example.com/h", "deploy.*", "no", reason],
      ["paused", "webhook", "https://ci.example.com/h", "deploy.*", "no"],
    ]);
  });

  it("no reason column when none has one", () => {
    const out = subscriptionsTable({ items: [{ ...sub, enabled: false, disabledReason: null }] });
    expect(out.split("\n")[0]).toMatch(/\sENABLED$/);
    expect(subscriptionsTable({ items: [] })).toBe("no subscriptions");
  });
});
