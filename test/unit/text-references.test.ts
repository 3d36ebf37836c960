import { describe, expect, it } from "vitest";
import {
  branchIdentifiers,
  githubClosingReferences,
  linearIdentifiers,
  linearUrlIdentifiers,
  magicWordIdentifiers,
  revertOf,
  urls,
} from "../../src/correlate/text-references.js";

describe("Linear identifiers", () => {
  it("reads identifiers, upper-cased", () => {
    expect(linearIdentifiers("Fix eng-42 and OPS-7, see ENG-1000.")).toEqual(["ENG-42", "OPS-7", "ENG-1000"]);
  });
  it("refuses dates, commit-ish tokens, versions and leading zeros", () => {
    expect(linearIdentifiers("deployed 2023-04-11-245a825")).toEqual([]);
    expect(linearIdentifiers("bump to v1.57.0 and release-1.57.0")).toEqual([]);
    expect(linearIdentifiers("ENG-042 ENG-0")).toEqual([]);
    expect(linearIdentifiers("see https://example.com/ENG-42x and a@ENG-4")).toEqual([]);
  });
  it("reads branch names", () => {
    expect(branchIdentifiers("alice/eng-42-checkout-timeouts")).toEqual(["ENG-42"]);
    expect(branchIdentifiers("ENG-42")).toEqual(["ENG-42"]);
    expect(branchIdentifiers("release/2023-04-11")).toEqual([]);
    expect(branchIdentifiers("v1.57.0")).toEqual([]);
  });
  it("reads magic words on the same line only", () => {
    expect(magicWordIdentifiers("Fixes ENG-42\nRelated to OPS-7 and OPS-8\nENG-9 is unrelated")).toEqual([
      { identifier: "ENG-42", relation: "closes" },
      { identifier: "OPS-7", relation: "references" },
      { identifier: "OPS-8", relation: "references" },
    ]);
    expect(magicWordIdentifiers("Part of ENG-1, closes: ENG-2")).toEqual([
      { identifier: "ENG-1", relation: "references" },
      { identifier: "ENG-2", relation: "closes" },
    ]);
    expect(magicWordIdentifiers("resolved https://linear.app/acme/issue/ENG-5/title")).toEqual([{ identifier: "ENG-5", relation: "closes" }]);
    expect(magicWordIdentifiers("fixed in 2023-04-11-245a825")).toEqual([]);
  });
  it("reads Linear issue URLs", () => {
    expect(linearUrlIdentifiers("<https://linear.app/acme/issue/eng-42/checkout-times-out>")).toEqual(["ENG-42"]);
  });
});

describe("GitHub references", () => {
  it("reads closing keywords", () => {
    expect(githubClosingReferences("Fixes #12, closes Acme/API#3 and resolves https://github.com/acme/web/issues/9; mentions #4", "acme/web")).toEqual([
      { repo: "acme/web", number: 12 },
      { repo: "acme/api", number: 3 },
      { repo: "acme/web", number: 9 },
    ]);
  });
  it("reads revert conventions", () => {
    expect(revertOf({ title: 'Revert "Retry checkout"', body: "Reverts acme/web#7", headRef: "revert-7-alice/eng-42" }, "acme/web")).toEqual({
      body: { repo: "acme/web", number: 7 },
      branch: { repo: "acme/web", number: 7 },
      title: "Retry checkout",
    });
  });
  it("reads URLs in Slack markup", () => {
    expect(urls("see <https://ci.example.com/runs/1|run 1> and https://x.io/a.")).toEqual(["https://ci.example.com/runs/1", "https://x.io/a"]);
  });
});
