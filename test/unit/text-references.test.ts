/**
 * Table-driven cases for the text grammars. Each row is input → exact expected output, taken from the rules
 * (docs/correlation.md, "Text references") and from the public suites of Linear's extractor
 * (linear/linear-release), semantic-release/issue-parser and GitHub's documented examples, rewritten with our
 * own inputs where possible.
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
  type Magic,
} from "../../src/correlate/text-references.js";

const closes = (identifier: string): Magic => ({ identifier, relation: "closes" });
const refs = (identifier: string): Magic => ({ identifier, relation: "references" });
const reverts = (identifier: string): Magic => ({ identifier, relation: "reverts" });
const gh = (repo: string, number: number) => ({ repo, number });
const web = (number: number) => gh("acme/web", number);
const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("branchIdentifiers: any identifier in a branch name links (Linear)", () => {
  it.each<[string | null | undefined, string[]]>([
    ["feature/OPS-77-retry-webhooks", ["OPS-77"]],
    ["alice/ios-1641-introduce-blockview", ["IOS-1641"]],
    ["john/fix-lin-56696", ["LIN-56696"]], // after a hyphen
    ["carol/asks/all/LIN-56081", ["LIN-56081"]],
    ["dave/INF-530", ["INF-530"]],
    ["eng-12", ["ENG-12"]],
    ["feature--eng-12", ["ENG-12"]], // after `--`
    ["Alice/Eng-12-Mixed-Case", ["ENG-12"]],
    ["fix_eng-12", ["ENG-12"]], // `_` starts a word
    ["story/LIN-123_LIN-321_hello_world", ["LIN-123", "LIN-321"]], // `_` ends a word too
    ["username/lin-123_branch_name", ["LIN-123"]],
    ["ENG-1/ENG-2", ["ENG-1", "ENG-2"]],
    ["feature/A-1-single-char", ["A-1"]],
    ["feature/X1Y2Z3A-100", ["X1Y2Z3A-100"]], // 7-character alphanumeric key
    ["feature/ABCDEFGH-123-too-long", []], // 8-character key
    ["eng-45-404-page-broken", ["ENG-45"]], // a slug may start with digits
    ["feature/LIN-0004-test", []], // leading zero
    ["eng-12abc", []],
    ["eng-1234567890", []], // ten digits
    ["release/ios-1.57.1", []], // versions
    ["release/android-2.9.0", []],
    ["tools/setup-ruby-1.269.0", []],
    ["dependabot/swift/dd-sdk-ios-2.9.0", []],
    ["bump-terraform-1.13", []],
    ["release/ver-1.57.01", []],
    ["release/2023-04-11", []], // dates
    ["hotfix/2024-11-15", []],
    ["nightly/2023-04-11-245a825", []], // not 11-245
    ["chore/update-deps", []],
    ["alice/revert-login-eng-5", ["ENG-5"]], // `revert-` without a PR number is an ordinary branch
    ["revert-571-romain/bac-39", []], // a revert branch undoes BAC-39: no fresh reference
    ["revert-571-romain/drive-320-and-drive-321", []],
    ["revert-572-revert-571-romain/bac-39", ["BAC-39"]], // even depth re-applies
    ["revert-574-revert-573-revert-572-romain/bac-39", []],
    ["org/revert-571-romain/bac-39", []],
    ["org/revert-572-revert-571-romain/bac-39", ["BAC-39"]],
    ["", []],
    [null, []],
    [undefined, []],
  ])("%j → %j", (branch, expected) => expect(branchIdentifiers(branch)).toEqual(expected));
});

describe("revertedBranchIdentifiers: what an odd-depth revert branch undoes", () => {
  it.each<[string | null, string[]]>([
    ["revert-571-romain/bac-39", ["BAC-39"]],
    ["revert-571-romain/drive-320-and-drive-321", ["DRIVE-320", "DRIVE-321"]],
    ["org/revert-9-x/eng-1", ["ENG-1"]],
    ["revert-572-revert-571-romain/bac-39", []],
    ["romain/bac-39", []],
    [null, []],
  ])("%j → %j", (branch, expected) => expect(revertedBranchIdentifiers(branch)).toEqual(expected));
});

describe("linearIdentifiers: bare identifiers in titles and prose", () => {
  it.each<[string | null, string[]]>([
    ["Fix eng-42 and OPS-7, see ENG-1000.", ["ENG-42", "OPS-7", "ENG-1000"]],
    ["[ENG-12] Retry webhooks", ["ENG-12"]],
    ["ENG-12: retry webhooks", ["ENG-12"]],
    ["ENG-1, eng-1 and Eng-1", ["ENG-1"]], // upper-cased, unique
    ["ENG-12_part two", ["ENG-12"]],
    ["ENG-123456789", ["ENG-123456789"]],
    ["ENG-1234567890", []],
    ["ENG-042 ENG-0", []],
    ["ABCDEFGH-1", []],
    ["ENG-12abc", []],
    ["ENG-12.5", []], // a version suffix
    ["upgrade v1.2-3", []], // inside a version
    ["bump to v1.57.0 and release-1.57.0", []],
    ["deployed 2023-04-11-245a825", []], // not 11-245
    ["https://linear.app/acme/issue/ENG-42/eng-43-slug", ["ENG-42"]], // the slug belongs to the URL
    ["<https://linear.app/acme/issue/eng-7/title|ENG-7 Title>", ["ENG-7"]],
    ["Ship it", []],
    [null, []],
  ])("%j → %j", (text, expected) => expect(linearIdentifiers(text)).toEqual(expected));
});

// Linear's closing words (every tense) and linking words.
const CLOSING_WORDS = [
  ..."close closes closed closing fix fixes fixed fixing resolve resolves resolved resolving".split(" "),
  ..."complete completes completed completing implement implements implemented implementing".split(" "),
];
const LINKING_WORDS = "ref|refs|references|part of|related to|relates to|contributes to|towards|toward".split("|");

describe("magicWordIdentifiers: PR descriptions", () => {
  it.each(CLOSING_WORDS)("closing word %j closes", (word) =>
    expect(magicWordIdentifiers(`${word} LIN-100`)).toEqual([closes("LIN-100")]),
  );
  it.each(LINKING_WORDS)("linking word %j references", (word) =>
    expect(magicWordIdentifiers(`${word} LIN-200`)).toEqual([refs("LIN-200")]),
  );
  it.each<[string | null, Magic[]]>([
    ["Fixes ENG-42\nRelated to OPS-7 and OPS-8\nENG-9 is unrelated", [closes("ENG-42"), refs("OPS-7"), refs("OPS-8")]],
    ["Part of ENG-1, closes: ENG-2", [refs("ENG-1"), closes("ENG-2")]],
    ["Closes: LIN-123", [closes("LIN-123")]],
    ["fIXES LIN-123", [closes("LIN-123")]],
    ["See LIN-111, fixes LIN-222", [closes("LIN-222")]],
    ["Title\nSeparate issue to follow up on here LIN-60064", []],
    ["Fixes LIN-123, LIN-456 and ENG-789", [closes("LIN-123"), closes("LIN-456"), closes("ENG-789")]],
    ["Fixes LIN-1 & LIN-2", [closes("LIN-1"), closes("LIN-2")]],
    ["Fixes LIN-1 or LIN-2", [closes("LIN-1")]],
    ["Fixes issue LIN-1", []], // the identifier must follow the magic word
    ["Fixes\nLIN-1", []], // same line only
    ["prefixes LIN-1", []], // the magic word must start a word
    ["Fixes LIN-01", []],
    ["Fixes LIN-1.2", []],
    ["Closes LIN-1;", [closes("LIN-1")]],
    ["Part of ENG-1\nFixes ENG-1", [closes("ENG-1")]], // one entry; closing outranks linking
    ["fixed in 2023-04-11-245a825", []],
    ["Fixes https://linear.app/myorg/issue/LIN-123/fix-auth", [closes("LIN-123")]],
    ["Fixes http://linear.app/myorg/issue/LIN-123", [closes("LIN-123")]],
    ["Fixes https://linear.app/my-org/issue/LIN-213/", [closes("LIN-213")]],
    ["Part of https://linear.app/myorg/issue/LIN-213/some-slug", [refs("LIN-213")]],
    ["See https://linear.app/myorg/issue/LIN-123/fix", []],
    [
      "Fixes https://linear.app/o/issue/LIN-1/slug, ENG-456 and LIN-789",
      [closes("LIN-1"), closes("ENG-456"), closes("LIN-789")],
    ],
    ["Fixes `ENG-1`", []], // code does not count
    ["Fix ENG-1 <!-- Fix ENG-2 --> Fix ENG-3", [closes("ENG-1"), closes("ENG-3")]],
    ["```\nFixes ENG-1\n```\nFixes ENG-2", [closes("ENG-2")]],
    ["~~~\nFixes ENG-1\n~~~", []],
    ["<code>Fixes ENG-1</code> Fixes ENG-2", [closes("ENG-2")]],
    ["<!-- template: Fixes ENG-1 -->", []],
    [null, []],
  ])("%j → %j", (text, expected) => expect(magicWordIdentifiers(text)).toEqual(expected));
});

describe("commitMessageReferences: subjects, magic words, reverts, squashes", () => {
  const dump = (...bodies: string[]) =>
    "Squashed commit of the following:\n\n" + bodies.map((b) => `commit ${SHA}\n\n    ${b}\n`).join("\n");
  it.each<[string | null, Magic[]]>([
    ["Implements PLAT-42 and ENG-7 in one go", [closes("PLAT-42"), closes("ENG-7")]],
    ["See LIN-123 for details", []],
    ["Fix LIN-123: something", [closes("LIN-123")]],
    ["Toward ENG-5", [refs("ENG-5")]],
    // A subject that starts with an identifier links it (Linear's subject conventions).
    ["LIN-123: Fix something", [refs("LIN-123")]],
    ["ENG-123 My change", [refs("ENG-123")]],
    ["eng-123: lower case", [refs("ENG-123")]],
    ["[ENG-123] My change", [refs("ENG-123")]],
    ["(ENG-123) My change", [refs("ENG-123")]],
    ["  [ENG-9] indented", [refs("ENG-9")]],
    ["ENG-123:no space", []],
    ["ENG-123", []], // Linear wants whitespace after it
    ["[ENG-01] leading zero", []],
    ["Some change\n\nENG-123: only in the body", []],
    ["ENG-1: thing\n\nFixes ENG-1", [closes("ENG-1")]],
    ["Fix the parser\n\n```\nFixes ENG-2\n```", []],
    // Odd depth undoes the quoted commit: never closes it; Linear reports it as reverted.
    ['Revert "Fixes ENG-100"', [reverts("ENG-100")]],
    ['revert "fixes eng-100"', [reverts("ENG-100")]],
    ['Revert "Fixes DRIVE-320: memory leak in location service"', [reverts("DRIVE-320")]],
    ['Revert "Fixes DRIVE-320 and DRIVE-321"', [reverts("DRIVE-320"), reverts("DRIVE-321")]],
    ['Revert "DRIVE-320: Fix memory leak"', []], // reverted identifiers need a magic word (Linear)
    ['Revert "Fix bug"', []],
    ['Revert "Bump v1-2 to v1-3"', []],
    ['Revert "Revert "Fixes ENG-100""', [closes("ENG-100")]], // even depth behaves like the original
    ['Revert "Revert "DRIVE-320: Fix""', [refs("DRIVE-320")]],
    ['Revert "Revert "Revert "Fixes ENG-100"""', [reverts("ENG-100")]],
    [
      'Revert "Fixes ENG-100"\n\nThis reverts commit 0123abc.\n\nFixes ENG-200',
      [closes("ENG-200"), reverts("ENG-100")],
    ],
    ['Reapply "Fixes ENG-100"', [closes("ENG-100")]], // git's re-apply subject is not a revert
    ['Revert "Squashed commit of the following:\n\n    Fixes LIN-50"', []],
    // Squash dumps list history already attributed elsewhere.
    [dump("Older shipped PR title (#85)\n\n    Fixes LIN-50"), []],
    ["New dashboard widget (#100)\n\n" + dump("Older (#85)\n\n    Fixes LIN-50", "Graph fix\n\n    Fixes LIN-100"), []],
    ["New dashboard widget (#100)\n\nCloses LIN-100\n\n" + dump("Fixes LIN-50"), [closes("LIN-100")]],
    ["Search filter (#100)\n\n" + dump("Older (#85)\n\n    Fixes LIN-50") + "\nCloses LIN-200", [closes("LIN-200")]],
    [
      `Squashed commit of the following:\n\ncommit ${SHA}\nAuthor: Dev <dev@example.com>\nDate:   Wed May 6 2026\n\n` +
        "    Implement search filter\n\nCloses LIN-200",
      [closes("LIN-200")],
    ],
    ["Squashed commit of the following:\n\nCloses LIN-200", [closes("LIN-200")]],
    ["Add settings page (#100)\n\nThis builds on #85 and #87. Closes LIN-200.", [closes("LIN-200")]],
    [null, []],
  ])("%j → %j", (message, expected) => expect(commitMessageReferences(message)).toEqual(expected));
});

describe("revertDepth", () => {
  it.each<[string, { depth: number; inner: string }]>([
    ["Fix memory leak", { depth: 0, inner: "Fix memory leak" }],
    ['Revert "DRIVE-320: Fix"', { depth: 1, inner: "DRIVE-320: Fix" }],
    ['Revert "Revert "DRIVE-320: Fix""', { depth: 2, inner: "DRIVE-320: Fix" }],
    ['Revert "Revert "Revert "DRIVE-320: Fix"""', { depth: 3, inner: "DRIVE-320: Fix" }],
    ['Reapply "DRIVE-320: Fix"', { depth: 0, inner: 'Reapply "DRIVE-320: Fix"' }],
    ['REVERT "x"', { depth: 1, inner: "x" }],
    ['Revert ""', { depth: 0, inner: 'Revert ""' }],
    ['Revert "a" and "b"', { depth: 1, inner: 'a" and "b' }], // greedy: the last quote closes
    ['Revert "x" (#12)', { depth: 1, inner: "x" }],
    ['Revert "x"\n\nThis reverts commit abc, "y".', { depth: 1, inner: "x" }], // the subject line only
    ["Revert x", { depth: 0, inner: "Revert x" }],
  ])("%j → %j", (subject, expected) => expect(revertDepth(subject)).toEqual(expected));
});

describe("revertOf: GitHub's revert conventions", () => {
  const none = { body: null, branch: null, title: null };
  it.each<[Parameters<typeof revertOf>[0], ReturnType<typeof revertOf>]>([
    [
      { title: 'Revert "Retry checkout"', body: "Reverts acme/web#7", headRef: "revert-7-alice/eng-42" },
      { body: web(7), branch: web(7), title: "Retry checkout" },
    ],
    [{ title: "Retry checkout", body: "Fixes #7", headRef: "alice/eng-42" }, none],
    [{ body: "Reverts Acme/API#7\r\n\r\nBroke checkout" }, { ...none, body: gh("acme/api", 7) }],
    [{ body: "Reverts #7" }, { ...none, body: web(7) }],
    [{ body: "This Reverts acme/web#7" }, none],
    [{ headRef: "revert-572-revert-571-romain/bac-39" }, { ...none, branch: web(572) }],
    [{ headRef: "org/revert-9-x" }, { ...none, branch: web(9) }],
    [{ title: 'Revert "Revert "Retry""' }, { ...none, title: 'Revert "Retry"' }],
  ])("%j", (pr, expected) => expect(revertOf(pr, "acme/web")).toEqual(expected));
});

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
