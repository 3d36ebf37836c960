/**
 * What free text (branch names, PR titles and bodies, commit and Slack messages) refers to: Linear
 * identifiers and magic words, GitHub closing keywords, reverts, squash and merge subjects, URLs.
 * Rules and their sources: docs/correlation.md, "Text references" (Linear's own extractor in
 * linear/linear-release, GitHub's "Linking a pull request to an issue", semantic-release/issue-parser,
 * CommonMark). One module per grammar under correlate/text-references/; this one is their public face.
 *
 * Linear time on JS's backtracking engine: every quantified part of a pattern is followed by something it
 * cannot match (so a failed attempt backs off at most once per character), patterns start only at fixed
 * anchors, and the hand-written scanners only move forward. The timing tests feed 64 KiB adversarial text.
 */

export { branchIdentifiers, revertDepth, revertedBranchIdentifiers, revertOf } from "./text-references/reverts.js";
export {
  commitClosingReferences,
  githubClosingReferences,
  mergeRequestOfCommit,
  pullRequestOfCommit,
  type IssueRef,
} from "./text-references/github.js";
export { linearIdentifiers, linearUrlIdentifiers } from "./text-references/linear-identifiers.js";
export { commitMessageReferences, magicWordIdentifiers, type Magic } from "./text-references/magic-words.js";
export { proseOnly } from "./text-references/prose.js";
export { urls } from "./text-references/urls.js";
