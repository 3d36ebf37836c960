/**
 * Table-driven cases for the text grammars, continued (text-references.test.ts has Linear's): GitHub's
 * closing keywords, code and comments, squash and merge subjects, URLs, and linear time on adversarial
 * text. Sources as there: docs/correlation.md, "Text references".
 */
import { describe, expect, it } from "vitest";
import {
  branchIdentifiers,
  commitClosingReferences,
  commitMessageReferences,
  githubClosingReferences,
  linearIdentifiers,
  linearUrlIdentifiers,
  magicWordIdentifiers,
  proseOnly,
  pullRequestOfCommit,
  revertDepth,
  revertedBranchIdentifiers,
  revertOf,
  urls,
} from "../../src/correlate/text-references.js";
import { gh, SHA, web } from "./text-references-helpers.js";

describe("githubClosingReferences: GitHub's keyword grammar", () => {
  it.each(["close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved"])(
    "keyword %j closes",
    (keyword) => expect(githubClosingReferences(`${keyword} #10`, "acme/web")).toEqual([web(10)]),
  );
  it.each<[string | null, Array<{ repo: string; number: number }>]>([
    ["Closes: #10", [web(10)]],
    ["CLOSES #10", [web(10)]],
    ["CLOSES: #10", [web(10)]],
    ["Fixes octo-org/octo-repo#100", [gh("octo-org/octo-repo", 100)]],
    [
      "Resolves #10, resolves #123, resolves octo-org/octo-repo#100",
      [web(10), web(123), gh("octo-org/octo-repo", 100)],
    ],
    ["Resolves #10, #11", [web(10)]], // one keyword per issue
    ["fixing #7", []], // not a GitHub keyword
    ["closing #7", []],
    ["implements #7", []],
    ["Fix #1 reSOLved gh-2 CLOSES Gh-3 fix o/r#4 #5 o/r#6 fixing #7", [web(1), web(2), web(3), gh("o/r", 4)]],
    ["Fix #1, Fix #2", [web(1), web(2)]],
    ["Fix #1,Fix #2", [web(1), web(2)]],
    ["fix #1, CLOSE #2", [web(1), web(2)]],
    ["Test#3", []], // malformed references
    ["Fix repo#3", []],
    ["#3a", []],
    ["Fix 3", []],
    ["Fix #3a", []],
    ["Fix #1Fix #2", []], // `#1Fix` is not #1, and `1Fix` does not start a keyword
    ["prefix #1", []],
    ["Fixes\n#12", []],
    ["Fixes #0", []],
    ["Fixes #1 and fixes #1", [web(1)]],
    ["resolves https://github.com/acme/api/issues/9", [gh("acme/api", 9)]],
    ["fixes https://github.com/acme/api/pull/9", [gh("acme/api", 9)]],
    [
      "Fixes #12, closes Acme/API#3 and resolves https://github.com/acme/web/issues/9; mentions #4",
      [web(12), gh("acme/api", 3), web(9)],
    ],
    [null, []],
  ])("%j → %j", (text, expected) => expect(githubClosingReferences(text, "Acme/Web")).toEqual(expected));
});

describe("code and comments do not count", () => {
  it.each<[string, Array<{ repo: string; number: number }>]>([
    ["Fix #1 `Fix #2`", [web(1)]],
    ["Fix `#1`", []],
    ["Fix #1 <!-- Fix #2 --> Fix #3", [web(1), web(3)]],
    ["\\`Fix #1\\`", [web(1)]], // escaped backticks are text
    ["Fix #1\n\n```js\nconsole.log('Fix #2');\n```", [web(1)]],
    ["~~~\nFix #1\n~~~\nFix #2", [web(2)]],
    ["```\nFix #1", []], // an unclosed fence runs to the end
    ["```\nFix #1\n````\nFix #2", [web(2)]], // a longer closing fence closes
    ["````\nFix #1\n```\nFix #2", []], // a shorter one does not
    ["> ```\n> Fix #1\n> ```\nFix #2", [web(2)]],
    ["\\`\\`\\`\nFix #1\n\\`\\`\\`", [web(1)]], // an escaped fence is text
    ["``Fix #1 ` still code`` Fix #2", [web(2)]],
    ["`unclosed Fix #1", [web(1)]], // a lone backtick is text
    ["`a\n\nFix #1 b`", [web(1)]], // code spans stay in their paragraph
    ["Fix #1 <code>Fix #2</code> Fix #3 <code>\nFix #4</code> <CODE> Fix #5</CODE>", [web(1), web(3)]],
    ["<code><code>Fix #6</code>Fix #7</code> Fix #8", [web(8)]], // nested elements
    ['<code class="x">Fix #1</code>', []],
    ["`<code>`Fix #1`</code>`", [web(1)]],
    ["Fix #1 <!-- never closed\nFix #2", [web(1)]],
  ])("%j → %j", (text, expected) => expect(githubClosingReferences(text, "acme/web")).toEqual(expected));
});

describe("proseOnly", () => {
  it.each<[string, string]>([
    ["a `b` c", "a     c"],
    ["x <!-- y --> z", "x            z"],
    ["```\ncode\n```\nafter", "   \n    \n   \nafter"],
    ["<code>a</code>b", "              b"],
    ["line1\r\n`x`\r\n", "line1\r\n   \r\n"],
    ["\\`a\\`", "\\`a\\`"],
    ["no code", "no code"],
    ["", ""],
  ])("%j → %j", (text, expected) => expect(proseOnly(text)).toEqual(expected));
});

describe("commitClosingReferences: GitHub keywords with commit rules", () => {
  it.each<[string | null, Array<{ repo: string; number: number }>]>([
    ["Fixes #7 in the parser", [web(7)]],
    ['Revert "Fixes #12"', []],
    ['Revert "Revert "Fixes #12""', [web(12)]],
    ['Revert "Fixes #12"\n\nThis reverts commit abc.\nFixes #13', [web(13)]],
    [`Ship (#100)\n\nSquashed commit of the following:\n\ncommit ${SHA}\n\n    Fixes #50\n\nCloses #60`, [web(60)]],
    ["Fix `#7` later", []],
    [null, []],
  ])("%j → %j", (message, expected) => expect(commitClosingReferences(message, "acme/web")).toEqual(expected));
});

describe("pullRequestOfCommit", () => {
  it.each<[string | null | undefined, ReturnType<typeof pullRequestOfCommit>]>([
    ["For issue #111, fix (#123)", { number: 123, how: "squash" }],
    ["Title (#12) ", { number: 12, how: "squash" }],
    ['Revert "Fix bug (#123)" (#130)', { number: 130, how: "squash" }], // the revert PR's own squash
    ["Fix something (#51876)\n\nTwo issues from review #4211934690.", { number: 51876, how: "squash" }],
    [`Title (#${2_147_483_647})`, { number: 2_147_483_647, how: "squash" }],
    [
      `New widget (#100)\n\nSquashed commit of the following:\n\ncommit ${SHA}\n\n    Older (#85)`,
      { number: 100, how: "squash" },
    ],
    ["Merge pull request #431 from org/branch", { number: 431, how: "merge" }],
    ["Merge pull request #42 from owner/branch\n\nDescription", { number: 42, how: "merge" }],
    ["merge pull request #42 from x/y", { number: 42, how: "merge" }],
    ["Merge pull request #572 from org/revert-571-romain/bac-39", { number: 572, how: "merge" }],
    ["Title (#12) more", null], // the squash suffix ends the subject
    ["Fix #124 with better handling", null],
    ["Fix bug\n\nRelated to (#999)", null], // the body is not the subject
    ['Revert "Fix bug (#123)"', null],
    ['Revert "Merge pull request #456 from owner/branch"', null],
    ["Title (#4211934690)", null], // beyond GitHub's 32-bit numbers
    ["Merge pull request #4211934690 from x/y", null],
    ["Some fix", null],
    [null, null],
    [undefined, null],
  ])("%j → %j", (message, expected) => expect(pullRequestOfCommit(message)).toEqual(expected));
});

describe("linearUrlIdentifiers", () => {
  it.each<[string | null, string[]]>([
    ["<https://linear.app/acme/issue/eng-42/checkout-times-out>", ["ENG-42"]],
    ["https://linear.app/acme/issue/ENG-42", ["ENG-42"]],
    ["http://linear.app/acme/issue/ENG-42/", ["ENG-42"]],
    ["a https://linear.app/x/issue/A-1 b https://linear.app/x/issue/B-2/t", ["A-1", "B-2"]],
    ["https://linear.app/acme/issue/ENG-042/x", []],
    ["https://linear.app/acme/issue/ENG-42abc", []],
    ["https://linear.app/acme/project/eng-42", []],
    ["https://example.com/issue/ENG-42", []],
    [null, []],
  ])("%j → %j", (text, expected) => expect(linearUrlIdentifiers(text)).toEqual(expected));
});

describe("urls", () => {
  it.each<[string | null, string[]]>([
    ["see https://x.com/a.", ["https://x.com/a"]],
    ["<https://y.com/b|label>", ["https://y.com/b"]],
    ["(https://z.com/c)", ["https://z.com/c"]],
    ["https://a.com/x?, then https://a.com/x", ["https://a.com/x"]],
    ["http://a.com/q?x=1&y=2;", ["http://a.com/q?x=1&y=2"]],
    ['"https://q.com/x"', ["https://q.com/x"]],
    ["https://a.com/x!!", ["https://a.com/x"]],
    ["https://a.com/~user/", ["https://a.com/~user/"]],
    ["https://...", []],
    ["no urls here", []],
    [null, []],
  ])("%j → %j", (text, expected) => expect(urls(text)).toEqual(expected));
});

describe("linear time on 64 KiB of adversarial text", () => {
  const K = 64 * 1024;
  const fill = (s: string) => s.repeat(Math.ceil(K / s.length)).slice(0, K);
  const inputs = [
    fill("a-"),
    fill("1-"),
    fill("2023-"),
    fill("abcdefgh-"),
    fill("ENG-1.2-3_"),
    "https://x" + ".".repeat(40_000),
    fill("Fixes "),
    fill("fix:"),
    "Fixes" + " ".repeat(K) + "x",
    fill("Fixes ENG-1, "),
    "Fixes ENG-1" + fill(" and"),
    fill("part of "),
    fill("`"),
    fill("`a"),
    fill("``a`"),
    fill("\\`"),
    fill("```\n"),
    fill("~~~ x\n"),
    fill("<!--"),
    fill("<code>") + "</code>",
    fill("<code>"),
    fill("<"),
    fill('Revert "'),
    fill('Revert "x"'),
    fill("revert-1-"),
    fill("/revert-1"),
    fill("Squashed commit of the following:\n"),
    fill("#1"),
    "fix a/" + fill("b"),
    fill("fix https://github.com/a/"),
    fill("https://linear.app/a"),
    fill("https://linear.app/a/issue/ENG-1/"),
    fill("(#1)"),
    "(#1)" + " ".repeat(K) + "x",
    fill("Merge pull request #"),
    fill("\n"),
  ];
  const functions: Record<string, (s: string) => unknown> = {
    linearIdentifiers,
    branchIdentifiers,
    revertedBranchIdentifiers,
    magicWordIdentifiers,
    linearUrlIdentifiers,
    githubClosingReferences: (s) => githubClosingReferences(s, "o/r"),
    commitClosingReferences: (s) => commitClosingReferences(s, "o/r"),
    revertOf: (s) => revertOf({ title: s, body: s, headRef: s }, "o/r"),
    urls,
    commitMessageReferences,
    pullRequestOfCommit,
    revertDepth,
    proseOnly,
  };
  it.each(Object.keys(functions))("%s stays under 500 ms per call", (name) => {
    for (const input of inputs) {
      const start = performance.now();
      functions[name]!(input);
      expect(performance.now() - start, `${name}(${JSON.stringify(input.slice(0, 20))}…)`).toBeLessThan(500);
    }
  });
});
