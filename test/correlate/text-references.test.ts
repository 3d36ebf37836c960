/**
 * Table-driven cases for the text grammars. Each row is input → exact expected output, taken from the rules
 * (docs/correlation.md, "Text references") and from the public suites of Linear's extractor
 * (linear/linear-release), semantic-release/issue-parser and GitHub's documented examples, rewritten with
 * our own inputs where possible. Linear's grammars here; GitHub's, code and comments, URLs and the timing
 * bounds in text-references-github.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  branchIdentifiers,
  commitMessageReferences,
  linearIdentifiers,
  magicWordIdentifiers,
  revertDepth,
  revertedBranchIdentifiers,
  revertOf,
  type Magic,
} from "../../src/correlate/text-references.js";
import { closes, refs, reverts, gh, web, SHA } from "./text-references-helpers.js";

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
