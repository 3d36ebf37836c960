import { describe, expect, it } from "vitest";
import { compileFilter } from "../../src/outbound/match.js";

const item = (type: string, extra: Partial<{ environment: string; repository: string; platform: string }> = {}) => ({
  type,
  environment: extra.environment ?? null,
  repository: extra.repository ?? null,
  platform: extra.platform ?? null,
});

describe("compileFilter", () => {
  it("matches types by glob, case-sensitively", () => {
    const f = compileFilter(["issue.shipped", "deploy.*"]);
    expect(f(item("issue.shipped"))).toBe(true);
    expect(f(item("deploy.changes"))).toBe(true);
    expect(f(item("deploy.rolled_back"))).toBe(true);
    expect(f(item("pr.shipped"))).toBe(false);
    expect(f(item("Issue.shipped"))).toBe(false);
  });

  it("matches where fields by glob, case-insensitively, and never a field the message lacks", () => {
    const f = compileFilter(["*"], { environment: "prod*", repository: "acme/*" });
    expect(f(item("issue.shipped", { environment: "Production-EU", repository: "acme/web" }))).toBe(true);
    expect(f(item("issue.shipped", { environment: "staging", repository: "acme/web" }))).toBe(false);
    expect(f(item("issue.shipped", { environment: "prod", repository: "other/web" }))).toBe(false);
    expect(f(item("issue.shipped", { repository: "acme/web" }))).toBe(false);
  });

  it("names GitLab projects by `gitlab:` globs only; `*` names every repository", () => {
    const github = compileFilter(["*"], { repository: "*/*" });
    expect(github(item("deploy.succeeded", { repository: "acme/web" }))).toBe(true);
    expect(github(item("deploy.succeeded", { repository: "gitlab:acme/web" }))).toBe(false);
    const gitlab = compileFilter(["*"], { repository: "gitlab:acme/*" });
    expect(gitlab(item("deploy.succeeded", { repository: "gitlab:acme/sub/web" }))).toBe(true);
    expect(gitlab(item("deploy.succeeded", { repository: "acme/web" }))).toBe(false);
    expect(compileFilter(["*"], { repository: "*" })(item("x", { repository: "gitlab:a/b" }))).toBe(true);
  });

  it("filters by platform", () => {
    const f = compileFilter(["github.*"], { platform: "github" });
    expect(f(item("github.push", { platform: "github" }))).toBe(true);
    expect(f(item("github.push", { platform: "slack" }))).toBe(false);
  });
});
