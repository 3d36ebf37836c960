import { z } from "zod";
import { time } from "./common.js";

/** A group (issue 16): a team or a service as repository globs and service names. */
export const GroupSchema = z
  .strictObject({
    name: z.string(),
    description: z.string().nullable(),
    repositories: z.array(z.string()).meta({ description: "globs of owner/repo, case-insensitive" }),
    services: z.array(z.string()).meta({ description: "deploys' service names, case-insensitive" }),
    createdAt: time,
    updatedAt: time,
  })
  .meta({ id: "Group" });

export const GroupListSchema = z.strictObject({ items: z.array(GroupSchema) }).meta({ id: "GroupList" });

/** A repository Switchyard knows of (it has deploys or pull requests), and the groups that hold it. */
export const RepositorySchema = z
  .strictObject({
    repository: z.string(),
    services: z.array(z.string()).meta({ description: "the services its deploys name" }),
    deploys: z.number().int(),
    pullRequests: z.number().int(),
    lastDeployAt: time.nullable().meta({ description: "when its latest successful deploy finished" }),
    groups: z.array(z.string()).meta({ description: "the groups whose globs or services hold it" }),
  })
  .meta({ id: "Repository" });

export const RepositoryListSchema = z.strictObject({ items: z.array(RepositorySchema) }).meta({
  id: "RepositoryList",
});
