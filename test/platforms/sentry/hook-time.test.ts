import { describe, expect, it } from "vitest";
import { sentryHookTime } from "../../../src/platforms/sentry/hook-time.js";

const RECEIVED = "2026-12-01T00:00:00.000Z";
const seconds = (offset: number) => String(Date.parse(RECEIVED) / 1000 + offset);
const at = (header: string | undefined) => sentryHookTime(header, RECEIVED).toISOString();

describe("sentryHookTime", () => {
  it("believes the unsigned header from 5 minutes before the receipt to 1 minute after", () => {
    expect(at(seconds(-300))).toBe("2026-11-30T23:55:00.000Z");
    expect(at(seconds(-1.5))).toBe("2026-11-30T23:59:58.500Z");
    expect(at(seconds(60))).toBe("2026-12-01T00:01:00.000Z");
  });

  it("takes the receipt for a future header (it would pin an incident's status) or a stale one", () => {
    expect(at(seconds(61))).toBe(RECEIVED);
    expect(at(seconds(10 * 365 * 86400))).toBe(RECEIVED);
    expect(at(seconds(-301))).toBe(RECEIVED);
    expect(at("1566249000")).toBe(RECEIVED); // 2019
  });

  it("takes the receipt without a readable header", () => {
    expect(at(undefined)).toBe(RECEIVED);
    expect(at("soon")).toBe(RECEIVED);
  });
});
