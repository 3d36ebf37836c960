import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  deleteGroup,
  findGroup,
  GroupNotFound,
  knownRepositories,
  listGroups,
  putGroup,
  scopeRepositories,
} from "../../src/store/groups.js";
import { onConnection } from "../../src/store/sql.js";
import { useIsolatedDatabase } from "../helpers/service.js";

const h = useIsolatedDatabase();
const t = (day: number) => new Date(Date.UTC(2026, 10, day));

beforeAll(async () => {
  await onConnection(h.db.pool, async (sql) => {
    const deploys: Array<[repo: string, service: string, status: string, day: number]> = [
      ["acme/web", "web", "succeeded", 1],
      ["acme/web", "web", "succeeded", 3],
      ["acme/web", "web", "failed", 4],
      ["legacy/checkout", "Checkout", "succeeded", 2],
      ["legacy/checkout", "checkout-worker", "succeeded", 2],
      ["other/docs", "docs", "succeeded", 5],
    ];
    for (const [i, [repo, service, status, day]] of deploys.entries())
      await sql.execute`
        INSERT INTO deploys (key, repository, service, environment, sha, status, finished_at, at, status_at, event_ids)
        VALUES (${`deploy:generic:g${i}`}, ${repo}, ${service}, 'production', ${"0".repeat(40)}, ${status}, ${t(day)},
          ${t(day)}, ${t(day)}, ARRAY[${randomUUID()}]::uuid[])`;
    for (const [n, repo] of ["acme/web", "acme/api", "acme/api"].entries())
      await sql.execute`INSERT INTO pull_requests (key, repository, number, title, updated_at, event_id)
        VALUES (${`github:pr:${repo}#${n}`}, ${repo}, ${n}, 'PR', ${t(1)}, ${randomUUID()}::uuid)`;
  });
});

describe("the groups table", () => {
  it("upserts, telling created from replaced; lists by name; deletes", async () => {
    const first = await putGroup(h.db.pool, "zeta", { repositories: ["acme/*"], services: [] });
    expect(first.created).toBe(true);
    expect(first.group).toMatchObject({ name: "zeta", description: null, repositories: ["acme/*"], services: [] });
    const again = await putGroup(h.db.pool, "zeta", { description: "Z", repositories: [], services: ["web"] });
    expect(again.created).toBe(false);
    expect(again.group).toMatchObject({ description: "Z", repositories: [], services: ["web"] });
    expect(again.group.createdAt).toEqual(first.group.createdAt);
    await putGroup(h.db.pool, "alpha", { repositories: ["a/b"], services: [] });
    expect((await listGroups(h.db.pool)).map((g) => g.name)).toEqual(["alpha", "zeta"]);
    expect(await findGroup(h.db.pool, "zeta")).toEqual(again.group);
    expect(await deleteGroup(h.db.pool, "alpha")).toBe(true);
    expect(await deleteGroup(h.db.pool, "alpha")).toBe(false);
    expect(await findGroup(h.db.pool, "alpha")).toBeNull();
    await deleteGroup(h.db.pool, "zeta");
  });

  it("knows every repository with deploys or pull requests, with counts", async () => {
    expect(await knownRepositories(h.db.pool)).toEqual([
      { repository: "acme/api", services: [], deploys: 0, pullRequests: 2, lastDeployAt: null },
      { repository: "acme/web", services: ["web"], deploys: 3, pullRequests: 1, lastDeployAt: t(3) },
      {
        repository: "legacy/checkout",
        services: ["Checkout", "checkout-worker"],
        deploys: 2,
        pullRequests: 0,
        lastDeployAt: t(2),
      },
      { repository: "other/docs", services: ["docs"], deploys: 1, pullRequests: 0, lastDeployAt: t(5) },
    ]);
  });
});

describe("scopeRepositories", () => {
  it("a group covers the repositories its globs match and those deploying its services; `named` the first", async () => {
    await putGroup(h.db.pool, "payments", { repositories: ["ACME/*"], services: ["checkout"] });
    const scope = await scopeRepositories(h.db.pool, { group: "payments" });
    expect(scope).toEqual({
      repositories: ["acme/api", "acme/web", "legacy/checkout"],
      named: ["acme/api", "acme/web"],
      services: ["checkout"],
    });
  });

  it("a repository covers itself, lower-case; an unknown group is GroupNotFound", async () => {
    expect(await scopeRepositories(h.db.pool, { repository: "Acme/Web" })).toEqual({
      repositories: ["acme/web"],
      named: ["acme/web"],
      services: [],
    });
    await expect(scopeRepositories(h.db.pool, { group: "nobody" })).rejects.toBeInstanceOf(GroupNotFound);
  });
});
