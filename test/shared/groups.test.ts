import { describe, expect, it } from "vitest";
import { GroupBodySchema, groupMatcher, groupName, holds } from "../../src/shared/groups.js";

describe("a group's body (PUT /api/groups/:name)", () => {
  const problems = (body: unknown) => {
    const r = GroupBodySchema.safeParse(body);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("takes repository globs and services, description optional; lists default to empty", () => {
    expect(GroupBodySchema.parse({ repositories: ["acme/*", "Acme/Web", "a-b.c/d_e?"] })).toEqual({
      repositories: ["acme/*", "Acme/Web", "a-b.c/d_e?"],
      services: [],
    });
    expect(GroupBodySchema.parse({ services: ["checkout api"], description: "payments" })).toEqual({
      description: "payments",
      repositories: [],
      services: ["checkout api"],
    });
  });

  it("takes GitLab project globs (`gitlab:group/*`), which match nested projects", () => {
    const body = GroupBodySchema.parse({ repositories: ["gitlab:acme/*", "gitlab:Acme/Sub/Web"] });
    expect(body.repositories).toEqual(["gitlab:acme/*", "gitlab:Acme/Sub/Web"]);
    const m = groupMatcher(body);
    expect(m.repository("gitlab:acme/platform/api")).toBe(true);
    expect(m.repository("acme/api")).toBe(false);
    expect(problems({ repositories: ["gitlab:acme"] })).toHaveLength(1);
  });

  it("keeps GitHub globs to GitHub repositories: `*/*` and `acme/*` name no GitLab project", () => {
    const m = groupMatcher(GroupBodySchema.parse({ repositories: ["*/*", "acme/*"] }));
    expect(m.repository("acme/web")).toBe(true);
    expect(m.repository("gitlab:acme/web")).toBe(false);
    expect(m.repository("gitlab:other/web")).toBe(false);
  });

  it("refuses an empty group, bad globs, unknown fields, too many entries", () => {
    expect(problems({})).toEqual([": list at least one repository glob or service"]);
    expect(problems({ repositories: [], services: [] })).toHaveLength(1);
    expect(problems({ repositories: ["acme"] })[0]).toMatch(/^repositories\.0: owner\/repo/);
    expect(problems({ repositories: ["acme/web/x"] })).toHaveLength(1);
    expect(problems({ repositories: ["acme/w b"] })).toHaveLength(1);
    expect(problems({ services: [""] })[0]).toMatch(/^services\.0: must not be empty/);
    expect(problems({ services: ["a\u0000b"] })[0]).toMatch(/control characters/);
    expect(problems({ services: ["x".repeat(256)] })[0]).toMatch(/at most 255 bytes/);
    expect(problems({ repositories: ["a/b"], name: "x" })[0]).toMatch(/Unrecognized key/i);
    expect(problems({ repositories: Array.from({ length: 101 }, (_, i) => `a/r${i}`) })[0]).toMatch(/at most 100/);
    expect(problems({ repositories: ["a/b"], description: "d".repeat(1001) })).toHaveLength(1);
  });

  it("names are plain: lower-case letters, digits, '.', '_', '-', at most 64", () => {
    for (const ok of ["payments", "team-a", "a", "0.x_y", "a".repeat(64)])
      expect(groupName.safeParse(ok).success).toBe(true);
    for (const bad of ["", "Payments", "-a", ".a", "a b", "a/b", "a".repeat(65)])
      expect(groupName.safeParse(bad).success).toBe(false);
  });
});

describe("groupMatcher", () => {
  const m = groupMatcher({ repositories: ["acme/*", "other/web"], services: ["Checkout"] });

  it("matches repositories by glob and services by name, without case", () => {
    expect(m.repository("acme/api")).toBe(true);
    expect(m.repository("ACME/Web")).toBe(true);
    expect(m.repository("other/web")).toBe(true);
    expect(m.repository("other/webs")).toBe(false);
    expect(m.repository("acmeco/api")).toBe(false);
    expect(m.service("checkout")).toBe(true);
    expect(m.service("checkout-v2")).toBe(false);
  });

  it("a group holds a repository its globs name, or one that deploys one of its services", () => {
    expect(holds(m, { repository: "x/y", services: ["CHECKOUT"] })).toBe(true);
    expect(holds(m, { repository: "x/y", services: ["billing"] })).toBe(false);
    expect(holds(m, { repository: "acme/y", services: [] })).toBe(true);
    expect(holds(groupMatcher({ repositories: [], services: [] }), { repository: "a/b", services: ["a/b"] })).toBe(
      false,
    );
  });
});
