import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { startupReport } from "../../src/ops/startup-report.js";
import { loadConfig } from "../../src/shared/config.js";
import { createLogger } from "../../src/shared/log.js";

const bare = { ROLE: "all", LOG_LEVEL: "silent" };
const full = {
  ...bare,
  GITHUB_WEBHOOK_SECRET: "gh",
  SLACK_SIGNING_SECRET: "sl",
  LINEAR_WEBHOOK_SECRET: "li",
  DEPLOY_WEBHOOK_SECRET: "whsec_ZGVwbG95",
  PAGERDUTY_WEBHOOK_SECRET: "pd",
  SENTRY_CLIENT_SECRET: "se",
  VERCEL_WEBHOOK_SECRET: "ve",
  NETLIFY_WEBHOOK_SECRET: "ne",
  CIRCLECI_WEBHOOK_SECRET: "cc",
  ARGOCD_WEBHOOK_SECRET: "ar",
  GITLAB_WEBHOOK_SECRET: "gl",
  API_TOKENS: "t1-0123456789abcdef0123456789abcdef",
  SLACK_BOT_TOKEN: "xoxb-1",
  LINEAR_API_KEY: "lin_api_1",
  SECRETS_KEYS: `k1:${Buffer.alloc(32, 1).toString("base64")}`,
};
const report = (env: Record<string, string>) => startupReport(loadConfig(env));

describe("startupReport", () => {
  it("is empty when everything is configured", () => {
    expect(report(full)).toEqual([]);
  });

  it("names every missing piece once, with the variable that fixes it", () => {
    const problems = report(bare);
    expect(problems.map((p) => p.variable)).toEqual([
      "GITHUB_WEBHOOK_SECRET",
      "SLACK_SIGNING_SECRET",
      "LINEAR_WEBHOOK_SECRET",
      "DEPLOY_WEBHOOK_SECRET",
      "PAGERDUTY_WEBHOOK_SECRET",
      "SENTRY_CLIENT_SECRET",
      "VERCEL_WEBHOOK_SECRET",
      "NETLIFY_WEBHOOK_SECRET",
      "CIRCLECI_WEBHOOK_SECRET",
      "ARGOCD_WEBHOOK_SECRET",
      "GITLAB_WEBHOOK_SECRET",
      "API_TOKENS",
      "SECRETS_KEYS",
      "SLACK_BOT_TOKEN",
      "LINEAR_API_KEY",
    ]);
    for (const p of problems) expect(p.message).toContain(p.variable);
    expect(problems[0]!.message).toBe(
      "receiver /webhooks/github is not configured: it answers 503 until GITHUB_WEBHOOK_SECRET is set",
    );
    expect(problems.find((p) => p.variable === "API_TOKENS")!.message).toMatch(/\/api answers 401/);
  });

  it("reports one missing receiver alone", () => {
    const { LINEAR_WEBHOOK_SECRET: _, ...rest } = full;
    expect(report(rest)).toEqual([
      {
        variable: "LINEAR_WEBHOOK_SECRET",
        message: "receiver /webhooks/linear is not configured: it answers 503 until LINEAR_WEBHOOK_SECRET is set",
      },
    ]);
  });

  it("reports only what the role does: receivers and /api in web, sending in worker", () => {
    expect(report({ ...bare, ROLE: "web" }).map((p) => p.variable)).not.toContain("SLACK_BOT_TOKEN");
    expect(report({ ...bare, ROLE: "web" }).map((p) => p.variable)).toContain("API_TOKENS");
    expect(report({ ...bare, ROLE: "worker" }).map((p) => p.variable)).toEqual(["SLACK_BOT_TOKEN", "LINEAR_API_KEY"]);
  });
});

describe("start-up log lines", () => {
  const capture = () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    return { stream, text: () => chunks.join("") };
  };

  it("are JSON, one object a line, off a terminal", () => {
    const out = capture();
    const log = createLogger("info", { pretty: false, destination: out.stream });
    log.warn({ variable: "API_TOKENS", headers: { authorization: "Bearer t" } }, "API_TOKENS is empty");
    const line = JSON.parse(out.text().trim());
    expect(line).toMatchObject({ level: 40, variable: "API_TOKENS", msg: "API_TOKENS is empty" });
    expect(line.headers.authorization).toBe("[redacted]");
  });

  it("are readable lines on a terminal, still redacted", () => {
    const out = capture();
    const log = createLogger("info", { pretty: true, destination: out.stream });
    log.warn({ variable: "API_TOKENS", headers: { authorization: "Bearer t" } }, "API_TOKENS is empty");
    const text = out.text();
    expect(text).toMatch(/WARN.*: API_TOKENS is empty\n/);
    expect(text).toContain('variable: "API_TOKENS"');
    expect(text).not.toContain("Bearer t");
    expect(() => JSON.parse(text)).toThrow();
  });
});
