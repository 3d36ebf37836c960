import { describe, expect, it } from "vitest";
import { compileStreamFilter, type FilterableItem } from "../../../src/outbound/stream/filter.js";

const item = (over: Partial<FilterableItem> = {}): FilterableItem => ({
  type: "deploy.succeeded",
  platform: "deploy",
  subject: "deploy:generic:d-1",
  environment: "production-eu",
  repository: "acme/web",
  ...over,
});

describe("live stream filter", () => {
  it("takes everything when nothing is asked", () => {
    expect(compileStreamFilter({})(item())).toBe(true);
    expect(compileStreamFilter({ types: [] })(item({ platform: null, environment: null }))).toBe(true);
  });

  it("matches any of the type globs, case-sensitively", () => {
    const f = compileStreamFilter({ types: ["github.pull_request.*", "deploy.*"] });
    expect(f(item())).toBe(true);
    expect(f(item({ type: "github.pull_request.opened" }))).toBe(true);
    expect(f(item({ type: "github.push" }))).toBe(false);
    expect(f(item({ type: "Deploy.succeeded" }))).toBe(false);
    expect(compileStreamFilter({ types: ["issue.shipped"] })(item({ type: "issue.shipped" }))).toBe(true);
  });

  it("matches platform and subject exactly", () => {
    expect(compileStreamFilter({ platform: "deploy" })(item())).toBe(true);
    expect(compileStreamFilter({ platform: "github" })(item())).toBe(false);
    expect(compileStreamFilter({ platform: "deploy" })(item({ platform: null }))).toBe(false);
    expect(compileStreamFilter({ subject: "deploy:generic:d-1" })(item())).toBe(true);
    expect(compileStreamFilter({ subject: "deploy:generic:d-*" })(item())).toBe(false);
  });

  it("matches where globs without case, and never a message without the value", () => {
    const f = compileStreamFilter({ where: { environment: "Prod*", repository: "acme/*" } });
    expect(f(item())).toBe(true);
    expect(f(item({ environment: "PRODUCTION" }))).toBe(true);
    expect(f(item({ environment: "staging" }))).toBe(false);
    expect(f(item({ repository: "other/web" }))).toBe(false);
    expect(f(item({ environment: null }))).toBe(false);
    expect(compileStreamFilter({ where: { platform: "git*" } })(item({ platform: "github" }))).toBe(true);
    expect(compileStreamFilter({ where: { platform: "git*" } })(item({ platform: null }))).toBe(false);
  });

  it("ignores where fields given as undefined", () => {
    expect(compileStreamFilter({ where: { environment: undefined } })(item({ environment: null }))).toBe(true);
  });

  it("needs every part to match", () => {
    const f = compileStreamFilter({ types: ["deploy.*"], platform: "deploy", where: { environment: "staging" } });
    expect(f(item())).toBe(false);
    expect(f(item({ environment: "staging" }))).toBe(true);
  });
});
