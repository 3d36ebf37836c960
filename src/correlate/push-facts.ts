import { bounded, LIMITS, text } from "../shared/bounds.js";
import { commitKey, fullSha } from "../shared/keys.js";
import { storableDate } from "../shared/time.js";
import type { Collector } from "./collector.js";
import type { CommitFact } from "./facts.js";

// A push payload (GitHub's or GitLab's, which share these fields), read loosely after verification.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are read loosely
type Obj = Record<string, any>;

const firstLine = (s: unknown) => (typeof s === "string" ? s.split("\n")[0]!.slice(0, 200) : null);
/** A full SHA that is not all zeros (a branch's creation or deletion). */
const realSha = (v: unknown) => {
  const sha = fullSha(v);
  return sha && !/^0{40}$/.test(sha) ? sha : null;
};

/**
 * A push's facts, GitHub's and GitLab's alike: both list the commits new to the branch, oldest first, so each
 * one's parent is taken to be the one before it, and the first one's the branch's previous head (`before`)
 * when `beforeIsParent`. For true merges that is not the real parent, but it preserves what ranges need:
 * reachability from `after` down to `before`. Each commit is an entity (`kind`), its message read for
 * references; `prOf` names the PR or merge request a commit message says it merged.
 */
export function pushFacts(
  c: Collector,
  p: Obj,
  repo: string,
  o: { kind: string; beforeIsParent: boolean; prOf: (message: string | null) => string | null },
) {
  const ref = bounded(p.ref, LIMITS.nameBytes);
  const branch = ref?.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null;
  // Only real commit objects with a full SHA: anything else in a push is not the sender's shape.
  const list: Obj[] = (Array.isArray(p.commits) ? p.commits : []).filter((x: Obj) => fullSha(text(x?.id)) !== null);
  const commits: CommitFact[] = [];
  let parent = o.beforeIsParent ? realSha(p.before) : null;
  for (const commit of list) {
    const sha = (commit.id as string).toLowerCase();
    const message = text(commit.message);
    commits.push({ sha, parents: parent ? [parent] : [], message, authoredAt: storableDate(commit.timestamp) });
    c.entity({ key: commitKey(repo, sha), kind: o.kind, title: firstLine(message), url: text(commit.url) });
    c.commitMessage(commitKey(repo, sha), message, repo);
    const pr = o.prOf(message);
    if (pr) c.link(pr, commitKey(repo, sha), "pr-commit-subject");
    parent = sha;
  }
  const after = realSha(text(p.after));
  if (after && !commits.some((x) => x.sha === after)) {
    const head: Obj | undefined = p.head_commit;
    commits.push({
      sha: after,
      parents: parent ? [parent] : [],
      message: head?.message ?? null,
      authoredAt: storableDate(head?.timestamp),
    });
  }
  c.facts.push = { repository: repo, branch, commits };
}
