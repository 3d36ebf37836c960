import { describe, expect, it } from "vitest";
import {
  commitKey,
  commitKeyIfSha,
  commitOf,
  deployKey,
  gitlabRepository,
  isCommitKey,
  isGitlabRepository,
  isIssueKey,
  isPrKey,
  keyLabel,
  issueKey,
  keysFromUrls,
  kindOf,
  linearEntityKey,
  linearIssueKey,
  prKey,
  repoKey,
  repositoryOf,
  scope,
  SCOPE_KINDS,
  scopeValue,
  slackMessageKey,
  teamOf,
  uniqueKeys,
} from "../../src/shared/keys.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const SHA_UPPER = SHA.toUpperCase();

describe("key builders (contract §4 shapes and casing)", () => {
  it("lower-cases GitHub owner/repo and SHAs", () => {
    expect(repoKey("Acme/Web")).toBe("github:repo:acme/web");
    expect(prKey("Acme/Web", 7)).toBe("github:pr:acme/web#7");
    expect(issueKey("ACME/web", 12)).toBe("github:issue:acme/web#12");
    expect(commitKey("Acme/Web", SHA_UPPER)).toBe(`github:commit:acme/web@${SHA}`);
  });

  it("upper-cases Linear identifiers", () => {
    expect(linearIssueKey("eng-42")).toBe("linear:issue:ENG-42");
    expect(linearIssueKey("ENG-42")).toBe("linear:issue:ENG-42");
  });

  it("keeps Slack channel and ts verbatim, deploy ids as given", () => {
    expect(slackMessageKey("C0DEPLOY01", "1763795000.000100")).toBe("slack:message:C0DEPLOY01/1763795000.000100");
    expect(deployKey("github", 1234)).toBe("deploy:github:1234");
    expect(deployKey("generic", "d-123")).toBe("deploy:generic:d-123");
    expect(linearEntityKey("project", "a0d50d0b-b39a-40b8-ba7a-21bff46c5140")).toBe(
      "linear:project:a0d50d0b-b39a-40b8-ba7a-21bff46c5140",
    );
  });
});

describe("commitKeyIfSha", () => {
  it("accepts a full 40-hex SHA in either case", () => {
    expect(commitKeyIfSha("acme/web", SHA)).toBe(`github:commit:acme/web@${SHA}`);
    expect(commitKeyIfSha("Acme/Web", SHA_UPPER)).toBe(`github:commit:acme/web@${SHA}`);
  });

  it("refuses abbreviated, over-long, zero, non-hex and non-string SHAs", () => {
    expect(commitKeyIfSha("acme/web", SHA.slice(0, 7))).toBeNull();
    expect(commitKeyIfSha("acme/web", SHA.slice(0, 39))).toBeNull();
    expect(commitKeyIfSha("acme/web", `${SHA}0`)).toBeNull();
    expect(commitKeyIfSha("acme/web", "0".repeat(40))).toBeNull();
    expect(commitKeyIfSha("acme/web", "g".repeat(40))).toBeNull();
    expect(commitKeyIfSha("acme/web", "main")).toBeNull();
    expect(commitKeyIfSha("acme/web", null)).toBeNull();
    expect(commitKeyIfSha("acme/web", undefined)).toBeNull();
    expect(commitKeyIfSha("acme/web", 123)).toBeNull();
  });
});

describe("key parsers", () => {
  it("kindOf names the entity kind of every key shape", () => {
    expect(kindOf(repoKey("acme/web"))).toBe("github.repo");
    expect(kindOf(prKey("acme/web", 7))).toBe("github.pr");
    expect(kindOf(issueKey("acme/web", 7))).toBe("github.issue");
    expect(kindOf(commitKey("acme/web", SHA))).toBe("github.commit");
    expect(kindOf(linearIssueKey("ENG-42"))).toBe("linear.issue");
    expect(kindOf(linearEntityKey("project", "x"))).toBe("linear.project");
    expect(kindOf(slackMessageKey("C1", "1.2"))).toBe("slack.message");
    // Every deploy is one kind, whatever its source.
    expect(kindOf(deployKey("github", 1))).toBe("deploy");
    expect(kindOf(deployKey("generic", "d-1"))).toBe("deploy");
  });

  it("repositoryOf round-trips every GitHub key, null for others", () => {
    for (const key of [
      repoKey("Acme/Web"),
      prKey("Acme/Web", 7),
      issueKey("Acme/Web", 3),
      commitKey("Acme/Web", SHA),
    ]) {
      expect(repositoryOf(key)).toBe("acme/web");
    }
    expect(repositoryOf(repoKey("my.org-1/repo_name.js"))).toBe("my.org-1/repo_name.js");
    expect(repositoryOf(linearIssueKey("ENG-42"))).toBeNull();
    expect(repositoryOf(slackMessageKey("C1", "1.2"))).toBeNull();
    expect(repositoryOf(deployKey("generic", "acme/web"))).toBeNull();
  });

  it("commitOf round-trips a commit key, null for any other key", () => {
    expect(commitOf(commitKey("Acme/Web", SHA_UPPER))).toEqual({ repository: "acme/web", sha: SHA });
    expect(commitOf(prKey("acme/web", 7))).toBeNull();
    expect(commitOf(repoKey("acme/web"))).toBeNull();
    expect(commitOf("github:commit:acme/web")).toBeNull();
  });

  it("isIssueKey: GitHub and Linear issues only", () => {
    expect(isIssueKey(issueKey("acme/web", 1))).toBe(true);
    expect(isIssueKey(linearIssueKey("ENG-1"))).toBe(true);
    expect(isIssueKey(prKey("acme/web", 1))).toBe(false);
    expect(isIssueKey(commitKey("acme/web", SHA))).toBe(false);
    expect(isIssueKey(linearEntityKey("project", "x"))).toBe(false);
    expect(isIssueKey(deployKey("generic", "1"))).toBe(false);
  });

  it("teamOf takes the team key of an identifier", () => {
    expect(teamOf("ENG-42")).toBe("ENG");
    expect(teamOf("A1_B-7")).toBe("A1_B");
    // Round trip with the identifier a linear key carries.
    expect(teamOf(linearIssueKey("ops-7").slice("linear:issue:".length))).toBe("OPS");
  });
});

describe("scopes", () => {
  it("scope/scopeValue round-trip for every kind", () => {
    const values: Record<(typeof SCOPE_KINDS)[number], string> = {
      team: "ENG",
      lid: "32d9b289-0098-4a64-9777-523f5d365282",
      url: "https://web-pr-7.preview.acme.dev/a:b",
      repo: "acme/web",
    };
    for (const kind of SCOPE_KINDS) {
      const s = scope(kind, values[kind]);
      expect(s).toBe(`${kind}:${values[kind]}`);
      expect(scopeValue(s, kind)).toBe(values[kind]);
      for (const other of SCOPE_KINDS) if (other !== kind) expect(scopeValue(s, other)).toBeNull();
    }
  });

  it("does not confuse a kind with a longer word sharing its prefix", () => {
    expect(scopeValue("repository:acme/web", "repo")).toBeNull();
    expect(scopeValue("teams:ENG", "team")).toBeNull();
  });

  it("takes locks teams first, repositories last (the documented global order)", () => {
    expect([...SCOPE_KINDS]).toEqual(["team", "lid", "url", "repo"]);
  });
});

describe("keysFromUrls", () => {
  it("reads PR, issue and full-SHA commit URLs, lower-casing the repository", () => {
    const text = [
      "<https://github.com/Acme/Web/pull/7|PR #7>",
      "https://github.com/acme/web/issues/12#issuecomment-1",
      `http://github.com/acme/api/commit/${SHA_UPPER}`,
    ].join(" and ");
    expect(keysFromUrls(text)).toEqual([prKey("acme/web", 7), issueKey("acme/web", 12), commitKey("acme/api", SHA)]);
  });

  it("reads Linear issue URLs, upper-casing the identifier", () => {
    expect(keysFromUrls("see https://linear.app/acme/issue/eng-42/checkout-times-out")).toEqual([
      "linear:issue:ENG-42",
    ]);
  });

  it("ignores abbreviated commits, other GitHub pages and other hosts", () => {
    expect(keysFromUrls("https://github.com/acme/web/commit/0123456")).toEqual([]);
    expect(keysFromUrls("https://github.com/acme/web/tree/main https://github.com/acme/web")).toEqual([]);
    expect(keysFromUrls("https://gitlab.com/acme/web/pull/7 https://example.com/issue/ENG-42")).toEqual([]);
    expect(keysFromUrls("ENG-42 and acme/web#7 without URLs")).toEqual([]);
  });

  it("is empty for no text", () => {
    expect(keysFromUrls(null)).toEqual([]);
    expect(keysFromUrls(undefined)).toEqual([]);
    expect(keysFromUrls("")).toEqual([]);
  });
});

describe("uniqueKeys", () => {
  it("flattens, drops empty values and keeps the first occurrence in order", () => {
    expect(uniqueKeys("a", null, ["b", "a"], undefined, "", "c", ["c", "b"])).toEqual(["a", "b", "c"]);
    expect(uniqueKeys()).toEqual([]);
    expect(uniqueKeys(null, undefined, [])).toEqual([]);
  });
});

describe("GitLab keys (the repository id `gitlab:<path>`)", () => {
  const G = "gitlab:Group/Sub/Project";

  it("the builders dispatch on the repository id, lower-casing the path", () => {
    expect(gitlabRepository("Group/Sub/Project")).toBe("gitlab:group/sub/project");
    expect(repoKey(G)).toBe("gitlab:repo:group/sub/project");
    expect(prKey(G, 7)).toBe("gitlab:mr:group/sub/project!7");
    expect(issueKey(G, 3)).toBe("gitlab:issue:group/sub/project#3");
    expect(commitKey(G, SHA_UPPER)).toBe(`gitlab:commit:group/sub/project@${SHA}`);
    expect(commitKeyIfSha(G, SHA)).toBe(`gitlab:commit:group/sub/project@${SHA}`);
    expect(commitKeyIfSha(G, SHA.slice(0, 8))).toBeNull();
  });

  it("parses them back: repository, commit, kind, issue and PR kinds", () => {
    expect(repositoryOf("gitlab:mr:group/sub/project!7")).toBe("gitlab:group/sub/project");
    expect(repositoryOf("gitlab:issue:group/project#3")).toBe("gitlab:group/project");
    expect(repositoryOf(`gitlab:commit:group/project@${SHA}`)).toBe("gitlab:group/project");
    expect(repositoryOf("gitlab:repo:group/project")).toBe("gitlab:group/project");
    expect(commitOf(`gitlab:commit:group/project@${SHA}`)).toEqual({ repository: "gitlab:group/project", sha: SHA });
    expect(commitOf("gitlab:mr:group/project!7")).toBeNull();
    expect(kindOf("gitlab:mr:group/project!7")).toBe("gitlab.mr");
    expect(kindOf(`gitlab:commit:group/project@${SHA}`)).toBe("gitlab.commit");
    expect(isIssueKey("gitlab:issue:group/project#3")).toBe(true);
    expect(isPrKey("gitlab:mr:group/project!7")).toBe(true);
    expect(isCommitKey(`gitlab:commit:group/project@${SHA}`)).toBe(true);
    expect(isPrKey("gitlab:issue:group/project#3")).toBe(false);
  });

  it("labels: `MR !7` in its own project, the path elsewhere", () => {
    expect(keyLabel("gitlab:mr:group/project!7", "gitlab:group/project")).toBe("MR !7");
    expect(keyLabel("gitlab:mr:group/project!7", "acme/web")).toBe("group/project!7");
    expect(keyLabel("gitlab:issue:group/project#3", "gitlab:group/project")).toBe("issue #3");
    expect(keyLabel(`gitlab:commit:group/project@${SHA}`, "gitlab:group/project")).toBe(SHA.slice(0, 7));
    expect(keyLabel(`gitlab:commit:group/project@${SHA}`)).toBe(`group/project@${SHA.slice(0, 7)}`);
    expect(keyLabel("gitlab:repo:group/project")).toBe("group/project");
  });

  it("GitLab URLs on any host, GitHub URLs unchanged beside them", () => {
    const text = [
      "https://gitlab.example.com/Group/Sub/Project/-/merge_requests/7/diffs",
      "http://10.0.0.2:3000/root/app/-/issues/3.",
      `https://gitlab.com/g/p/-/commit/${SHA}`,
      "https://gitlab.com/g/p/-/commit/0123456", // abbreviated: nothing
      "https://gitlab.com/g/p/merge_requests/9", // no /-/: nothing
      "https://github.com/Acme/Web/pull/7",
    ].join(" ");
    expect(keysFromUrls(text)).toEqual([
      "github:pr:acme/web#7",
      "gitlab:mr:group/sub/project!7",
      "gitlab:issue:root/app#3",
      `gitlab:commit:g/p@${SHA}`,
    ]);
  });

  it("no GitHub name can be a GitLab id (GitHub names hold no ':')", () => {
    expect(repoKey("acme/web")).toBe("github:repo:acme/web");
    expect(isGitlabRepository("acme/web")).toBe(false);
  });
});
