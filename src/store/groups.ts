import type pg from "pg";
import { type GroupBody, groupMatcher, type GroupRow, holds } from "../shared/groups.js";
import { onConnection } from "./sql.js";

/** The `groups` table (issue 16): every statement on it is here, and what a group or a repository covers. */

/** A group that does not exist was asked for: the API answers 404. */
export class GroupNotFound extends Error {
  constructor(readonly group: string) {
    super(`no such group: ${group}`);
  }
}

export const listGroups = (pool: pg.Pool): Promise<GroupRow[]> =>
  onConnection(
    pool,
    (sql) => sql.query<GroupRow[]>`
    SELECT name, description, repositories, services, created_at AS "createdAt", updated_at AS "updatedAt"
    FROM groups ORDER BY name`,
  );

export async function findGroup(pool: pg.Pool, name: string): Promise<GroupRow | null> {
  const [row] = await onConnection(
    pool,
    (sql) => sql.query<GroupRow[]>`
    SELECT name, description, repositories, services, created_at AS "createdAt", updated_at AS "updatedAt"
    FROM groups WHERE name = ${name}`,
  );
  return row ?? null;
}

/** Creates the group or replaces what it holds; `created` tells which (xmax is 0 on a row just inserted). */
export async function putGroup(
  pool: pg.Pool,
  name: string,
  body: GroupBody,
): Promise<{ group: GroupRow; created: boolean }> {
  const [row] = await onConnection(
    pool,
    (sql) => sql.query<Array<GroupRow & { created: boolean }>>`
    INSERT INTO groups (name, description, repositories, services)
    VALUES (${name}, ${body.description ?? null}, ${body.repositories}::text[], ${body.services}::text[])
    ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, repositories = EXCLUDED.repositories,
      services = EXCLUDED.services, updated_at = CURRENT_TIMESTAMP
    RETURNING name, description, repositories, services, created_at AS "createdAt", updated_at AS "updatedAt",
      (xmax = 0) AS created`,
  );
  const { created, ...group } = row!;
  return { group, created };
}

/** Deletes the group; false if there was none. */
export const deleteGroup = async (pool: pg.Pool, name: string): Promise<boolean> =>
  (await onConnection(pool, (sql) => sql.execute`DELETE FROM groups WHERE name = ${name}`)) > 0;

/** A repository Switchyard knows of: it has deploys or pull requests. */
export interface KnownRepository {
  repository: string;
  /** The services its deploys name. */
  services: string[];
  deploys: number;
  pullRequests: number;
  /** When its latest successful deploy finished. */
  lastDeployAt: Date | null;
}

/** Every repository with deploys or pull requests, with their counts, in one statement. */
export const knownRepositories = (pool: pg.Pool): Promise<KnownRepository[]> =>
  onConnection(
    pool,
    (sql) => sql.query<KnownRepository[]>`
    WITH d AS (
      SELECT repository, array_agg(DISTINCT service ORDER BY service) AS services, count(*)::int AS deploys,
             max(finished_at) FILTER (WHERE status = 'succeeded') AS last
      FROM deploys GROUP BY repository),
    p AS (SELECT repository, count(*)::int AS prs FROM pull_requests GROUP BY repository)
    SELECT COALESCE(d.repository, p.repository) AS repository, COALESCE(d.services, '{}') AS services,
           COALESCE(d.deploys, 0) AS deploys, COALESCE(p.prs, 0) AS "pullRequests", d.last AS "lastDeployAt"
    FROM d FULL JOIN p ON p.repository = d.repository
    ORDER BY 1`,
  );

/** What a metric is counted over: one repository, or a group's. */
export interface Scope {
  repository?: string;
  group?: string;
}

/**
 * The repositories (lower-case owner/repo) a scope covers: the one named, or every known repository
 * the group holds (its globs match it, or it deploys one of the group's services; lead time counts
 * their PRs); `named`, those its globs match (DORA counts their deploys, and the deploys of the
 * group's `services` wherever they are, not a service's whole repository); and the group's services.
 * GroupNotFound for an unknown group.
 */
export async function scopeRepositories(
  pool: pg.Pool,
  scope: Scope,
): Promise<{ repositories: string[]; named: string[]; services: string[] }> {
  if (scope.group === undefined) {
    const repositories = scope.repository ? [scope.repository.toLowerCase()] : [];
    return { repositories, named: repositories, services: [] };
  }
  const group = await findGroup(pool, scope.group);
  if (!group) throw new GroupNotFound(scope.group);
  const matcher = groupMatcher(group);
  const known = await knownRepositories(pool);
  return {
    repositories: known.filter((r) => holds(matcher, r)).map((r) => r.repository.toLowerCase()),
    named: known.filter((r) => matcher.repository(r.repository)).map((r) => r.repository.toLowerCase()),
    services: group.services,
  };
}
