import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/shared/config.js";

describe("configuration", () => {
  it("applies SPEC §1 defaults and splits secret lists for rotation", () => {
    const c = loadConfig({ GITHUB_WEBHOOK_SECRET: " a , b ,", API_TOKENS: "t1" });
    expect(c).toMatchObject({
      PORT: 3000,
      ROLE: "all",
      WEBHOOK_MAX_BYTES: 26214400,
      GITHUB_WEBHOOK_SECRET: ["a", "b"],
      SLACK_SIGNING_SECRET: [],
      API_TOKENS: ["t1"],
    });
    expect(c.DATABASE_URL).toBe("postgresql://postgres@127.0.0.1:5432/switchyard");
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
});
