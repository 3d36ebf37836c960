import { describe, expect, it } from "vitest";
import { linkTree, type TreeLink } from "../../../src/cli/format/tree.js";

const link = (from: string, relation: string, to: string, rule = "r", confidence = 1): TreeLink => ({
  from,
  to,
  relation,
  rule,
  confidence,
});

describe("linkTree", () => {
  it("hangs each linked entity under the one it links to, arrows giving the link's direction", () => {
    const out = linkTree(
      { key: "linear:issue:ENG-42", title: "Checkout times out", state: "Done" },
      [
        link("github:pr:acme/shop#7", "closes", "linear:issue:ENG-42", "github-closing-keyword", 0.95),
        link("github:pr:acme/shop#7", "contains", "github:commit:acme/shop@aaa", "pr-head-commit"),
        link("deploy:generic:d-1", "ships", "github:pr:acme/shop#7", "deploy-range"),
        link("slack:message:C1/1.2", "discusses", "linear:issue:ENG-42", "slack-mention", 0.6),
      ],
      [{ key: "github:pr:acme/shop#7", title: "Fix checkout timeout", state: "merged" }],
    );
    expect(out).toBe(
      [
        "linear:issue:ENG-42  Checkout times out [Done]",
        "├─ closes ← github:pr:acme/shop#7  Fix checkout timeout [merged] (github-closing-keyword 0.95)",
        "│  ├─ contains → github:commit:acme/shop@aaa (pr-head-commit 1)",
        "│  └─ ships ← deploy:generic:d-1 (deploy-range 1)",
        "└─ discusses ← slack:message:C1/1.2 (slack-mention 0.6)",
      ].join("\n"),
    );
  });

  it("expands an entity once, nearest the root, and only names it elsewhere", () => {
    // A and B both link to C; C links back to the root: a cycle and a shared neighbour.
    const out = linkTree({ key: "root" }, [
      link("root", "references", "a"),
      link("root", "references", "b"),
      link("a", "contains", "c"),
      link("b", "contains", "c"),
      link("c", "reverts", "root"),
      link("c", "ships", "d"),
    ]);
    expect(out).toBe(
      [
        "root",
        "├─ references → a (r 1)",
        "│  └─ contains → c (r 1) (see below)",
        "├─ references → b (r 1)",
        "│  └─ contains → c (r 1) (see below)",
        "└─ reverts ← c (r 1)",
        "   ├─ contains ← a (r 1) (see above)",
        "   ├─ contains ← b (r 1) (see above)",
        "   └─ ships → d (r 1)",
      ].join("\n"),
    );
  });

  it("puts the rules that made the same link on one line, and names an entity's title where it is expanded", () => {
    const out = linkTree(
      { key: "linear:issue:ENG-1" },
      [
        link("github:pr:acme/shop#7", "references", "linear:issue:ENG-1", "linear-id-in-branch", 0.9),
        link("github:pr:acme/shop#7", "references", "linear:issue:ENG-1", "linear-attachment", 1),
        link("github:pr:acme/shop#7", "closes", "linear:issue:ENG-1", "linear-magic-word", 0.95),
      ],
      [{ key: "github:pr:acme/shop#7", title: "Fix it" }],
    );
    expect(out).toBe(
      [
        "linear:issue:ENG-1",
        "├─ closes ← github:pr:acme/shop#7  Fix it (linear-magic-word 0.95)",
        "└─ references ← github:pr:acme/shop#7 (linear-id-in-branch 0.9, linear-attachment 1) (see above)",
      ].join("\n"),
    );
  });

  it("is the bare entity without links", () => {
    expect(linkTree({ key: "github:repo:acme/shop" }, [])).toBe("github:repo:acme/shop");
  });
});
