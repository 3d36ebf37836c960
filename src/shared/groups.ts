import { z } from "zod";
import { LIMITS } from "./bounds.js";
import { compileGlobIgnoreCase } from "./glob.js";
import { globMayName } from "./keys.js";

/**
 * Groups (issue 16): a team or a service as a named set of repository globs (`acme/*`, `acme/web`)
 * and service names, so DORA and lead time can be counted across several repositories. Pure: the
 * body a PUT takes, and the test of what a group holds; the table is store/groups.ts's.
 */

export const GROUP_LIMITS = { repositories: 100, services: 100, descriptionChars: 1000 } as const;

/** A group's name: in paths and on command lines, so plain. */
export const groupName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "lower-case letters, digits, '.', '_' and '-', 1–64 characters");

/**
 * `owner/repo` as GitHub allows it, or a GitLab project id `gitlab:group/sub/project` (shared/keys.ts), where
 * `*` and `?` may stand for characters.
 */
const REPOSITORY_GLOB = new RegExp(
  `^[\\w.*?-]{1,${LIMITS.owner}}/[\\w.*?-]{1,${LIMITS.repository}}$|^gitlab:[\\w.*?-]{1,255}(?:/[\\w.*?-]{1,255}){1,20}$`,
);

const repositoryGlob = z
  .string()
  .max(LIMITS.nameBytes, "owner/repo, where * and ? may stand for characters")
  .regex(REPOSITORY_GLOB, "owner/repo, where * and ? may stand for characters");

/** A service name as deploys carry it: any printable text within the bound names have. */
const serviceName = z
  .string()
  .min(1, "must not be empty")
  .refine((s) => !/\p{Cc}/u.test(s), { message: "must not contain control characters", abort: true })
  .refine((s) => s.isWellFormed(), { message: "must be well-formed Unicode", abort: true })
  .refine((s) => Buffer.byteLength(s) <= LIMITS.nameBytes, `must be at most ${LIMITS.nameBytes} bytes`);

/** The body of PUT /api/groups/:name: the whole group, as it is to be. */
export const GroupBodySchema = z
  .strictObject({
    description: z.string().max(GROUP_LIMITS.descriptionChars).nullable().optional(),
    repositories: z
      .array(repositoryGlob)
      .max(GROUP_LIMITS.repositories, `at most ${GROUP_LIMITS.repositories} repository globs`)
      .default([])
      .meta({ description: "globs of owner/repo (`acme/*`), case-insensitive" }),
    services: z
      .array(serviceName)
      .max(GROUP_LIMITS.services, `at most ${GROUP_LIMITS.services} services`)
      .default([])
      .meta({ description: "service names of deploys (case-insensitive); their deploys' repositories belong" }),
  })
  .refine((g) => g.repositories.length + g.services.length > 0, {
    message: "list at least one repository glob or service",
  });

export type GroupBody = z.output<typeof GroupBodySchema>;

/** A group as stored. */
export interface GroupRow extends GroupBody {
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupMatcher {
  repository(name: string): boolean;
  service(name: string): boolean;
}

/** What a group holds, with its globs compiled once; names are compared without case. */
export function groupMatcher(group: Pick<GroupBody, "repositories" | "services">): GroupMatcher {
  const globs = group.repositories.map((glob) => ({ glob, matches: compileGlobIgnoreCase(glob) }));
  const services = new Set(group.services.map((s) => s.toLowerCase()));
  return {
    repository: (name) => globs.some(({ glob, matches }) => globMayName(glob, name) && matches(name)),
    service: (name) => services.has(name.toLowerCase()),
  };
}

/** Whether a group holds a repository: its globs name it, or it deploys one of the group's services. */
export const holds = (m: GroupMatcher, repo: { repository: string; services: string[] }): boolean =>
  m.repository(repo.repository) || repo.services.some((s) => m.service(s));
