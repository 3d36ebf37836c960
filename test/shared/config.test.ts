import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/shared/config.js";

const T1 = "t1-0123456789abcdef0123456789abcdef";

describe("configuration", () => {
  it("applies contract §1 defaults and splits secret lists for rotation", () => {
    const c = loadConfig({ GITHUB_WEBHOOK_SECRET: " a , b ,", API_TOKENS: T1 });
    expect(c).toMatchObject({
      PORT: 3000,
      ROLE: "all",
      WEBHOOK_MAX_BYTES: 26214400,
      GITHUB_WEBHOOK_SECRET: ["a", "b"],
      SLACK_SIGNING_SECRET: [],
      API_TOKENS: [{ secret: T1 }],
    });
    expect(c.DATABASE_URL).toBe("postgresql://postgres@127.0.0.1:5432/switchyard");
  });
  it("refuses API tokens shorter than 32 characters, naming the variable and not the token", () => {
    expect(() => loadConfig({ API_TOKENS: `${T1},short-token-value` })).toThrow(/API_TOKENS: .*32 characters/);
    const message = (() => {
      try {
        loadConfig({ API_TOKENS: "short-token-value" });
        return "";
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toMatch(/API_TOKENS/);
    expect(message).not.toContain("short-token-value");
    expect(loadConfig({ API_TOKENS: "" }).API_TOKENS).toEqual([]);
  });
  it("refuses invalid values with one message naming each variable and no value", () => {
    let message = "";
    try {
      loadConfig({ ROLE: "boss", PORT: "http", DEPLOY_WEBHOOK_SECRET: "plain-secret-value" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/ROLE/);
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/DEPLOY_WEBHOOK_SECRET: every secret must start with whsec_/);
    expect(message).not.toContain("plain-secret-value");
  });
  it("keeps history for ever by default, and refuses raw deliveries kept shorter than their events", () => {
    const c = loadConfig({});
    expect([
      c.RETENTION_DAYS_RAW,
      c.RETENTION_DAYS_EVENTS,
      c.RETENTION_DAYS_OUTBOUND,
      c.PARTITION_PREMAKE_DAYS,
    ]).toEqual([0, 0, 0, 2]);
    const kept = { RETENTION_DAYS_EVENTS: "30", RETENTION_DAYS_OUTBOUND: "14" };
    expect(loadConfig({ RETENTION_DAYS_RAW: "30", ...kept }).RETENTION_DAYS_RAW).toBe(30);
    expect(loadConfig(kept).RETENTION_DAYS_RAW).toBe(0);
    // The outbox's event rows read their events: they may not outlive them.
    expect(() => loadConfig({ RETENTION_DAYS_EVENTS: "30" })).toThrow(/RETENTION_DAYS_OUTBOUND/);
    expect(() => loadConfig({ ...kept, RETENTION_DAYS_OUTBOUND: "31" })).toThrow(/RETENTION_DAYS_OUTBOUND/);
    expect(loadConfig({ RETENTION_DAYS_OUTBOUND: "7" }).RETENTION_DAYS_OUTBOUND).toBe(7);
    expect(() => loadConfig({ RETENTION_DAYS_RAW: "7", RETENTION_DAYS_EVENTS: "30" })).toThrow(/RETENTION_DAYS_RAW/);
    expect(() => loadConfig({ RETENTION_DAYS_RAW: "7" })).toThrow(/RETENTION_DAYS_RAW/);
    expect(() =>
      loadConfig({ RETENTION_DAYS_RAW: "2", RETENTION_DAYS_EVENTS: "1", RETENTION_DAYS_OUTBOUND: "1" }),
    ).toThrow(/at least 3/);
  });
});
