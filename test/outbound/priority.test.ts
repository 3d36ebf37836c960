import { describe, expect, it } from "vitest";
import { meetsPriority, priorityOf } from "../../src/outbound/match.js";

const event = (priority?: string) => ({ kind: "event" as const, data: priority ? { priority } : {} });
const milestone = { kind: "milestone" as const, data: { issue: { key: "x" } } };

describe("a subscription's minPriority", () => {
  it("reads an event's priority from its data; a milestone is high; none is normal", () => {
    expect(priorityOf(event("critical"))).toBe("critical");
    expect(priorityOf(event("low"))).toBe("low");
    expect(priorityOf(milestone)).toBe("high");
    expect(priorityOf(event())).toBe("normal");
  });

  it("lets through items at or above the minimum, every item without one", () => {
    expect(["critical", "high", "normal", "low"].map((p) => meetsPriority(event(p), "high"))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(meetsPriority(milestone, "high")).toBe(true);
    expect(meetsPriority(milestone, "critical")).toBe(false);
    expect(meetsPriority(event("low"), null)).toBe(true);
    expect(meetsPriority(event("low"), "low")).toBe(true);
  });
});
