import { fields, table } from "./table.js";
import { clip, shortSha, when } from "./values.js";
import type { DeployChanges } from "../../api/schemas/answers.js";

/** `switchyard deploy changes`: the deploy, the one before it, and what it shipped. */
export function deployView(c: DeployChanges): string {
  const d = c.deploy;
  const p = c.previous;
  return [
    fields([
      ["deploy", d.key],
      ["repository", d.repository],
      ["environment", d.environment],
      ["status", d.status],
      ["sha", d.sha],
      ["finished", when(d.finishedAt)],
      ["url", d.url],
      ["previous", p ? `${p.key} (${shortSha(p.sha)}, ${when(p.finishedAt)})` : "none"],
      ["rolls back", c.rollsBack ?? null],
      ["range", c.rangeKnown ? "known" : "unknown: no earlier deploy or commit history to bound it"],
    ]),
    "",
    `Pull requests (${c.pullRequests.length})`,
    table(
      ["#", "title", "merged"],
      c.pullRequests.map((pr) => [pr.number, clip(pr.title, 70), when(pr.mergedAt)]),
    ),
    "",
    `Issues (${c.issues.length})`,
    table(
      ["issue", "title", "state", "confidence"],
      c.issues.map((i) => [i.key, clip(i.title, 60), i.state, i.confidence]),
    ),
    "",
    `Commits (${c.commits.length})`,
    table(
      ["sha", "message", "authored"],
      c.commits.map((x) => [shortSha(x.sha), clip(x.message, 70), when(x.authoredAt)]),
    ),
  ].join("\n");
}
