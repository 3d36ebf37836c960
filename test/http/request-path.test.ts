import { describe, expect, it } from "vitest";
import { canonicalPath, inArea } from "../../src/http/request-path.js";

describe("canonicalPath", () => {
  it.each([
    ["/api/events", "/api/events"],
    ["/API/Events", "/api/events"],
    ["/%61pi/events", "/api/events"],
    ["/%2561pi/events", "/api/events"],
    ["//api///events/", "/api/events"],
    ["/x/../api/./events", "/api/events"],
    ["/../../api", "/api"],
    ["\\api\\events", "/api/events"],
    ["/api%2Fevents", "/api/events"],
    ["/", "/"],
  ])("%s reads as %s", (raw, canonical) => {
    expect(canonicalPath(raw)).toBe(canonical);
  });

  it("is null for a path that cannot be decoded, or is encoded more often than any proxy undoes", () => {
    expect(canonicalPath("/api/%E0%A4%A")).toBeNull();
    expect(canonicalPath("/%ZZ")).toBeNull();
    expect(canonicalPath("/%2525252561pi")).toBeNull();
  });
});

describe("inArea", () => {
  it("holds the area and what lies under it, not a name that only starts the same", () => {
    expect(inArea("/api", "/api")).toBe(true);
    expect(inArea("/api/events", "/api")).toBe(true);
    expect(inArea("/apiary", "/api")).toBe(false);
    expect(inArea("/webhooks/api", "/api")).toBe(false);
  });
});
