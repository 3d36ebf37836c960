import { describe, expect, it } from "vitest";
import { importRequest } from "../../src/api/imports.js";

/** POST /api/imports' `since`, resolved when the job is made (src/api/imports.ts). */
describe("importRequest", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");

  it("reads days and hours back from now, and defaults to 90 days", () => {
    const gh = { platform: "github" as const, repository: "acme/shop" };
    expect(importRequest({ ...gh, since: { ago: 30 * 86_400_000 } }, now).since).toBe("2026-11-07T12:00:00.000Z");
    expect(importRequest({ ...gh, since: { ago: 12 * 3_600_000 } }, now).since).toBe("2026-12-07T00:00:00.000Z");
    expect(importRequest(gh, now)).toEqual({ ...gh, since: "2026-09-08T12:00:00.000Z" });
  });

  it("keeps an ISO time, and a Linear team or every team", () => {
    const at = new Date("2026-10-01T00:00:00Z");
    expect(importRequest({ platform: "linear", team: "ENG", since: { at } }, now)).toEqual({
      platform: "linear",
      team: "ENG",
      since: "2026-10-01T00:00:00.000Z",
    });
    expect(importRequest({ platform: "linear" }, now)).toMatchObject({ platform: "linear", team: null });
  });
});
