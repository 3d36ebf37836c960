import { z } from "zod";
import { GITHUB_REPO, LIMITS } from "../../shared/bounds.js";
import { storableIsoDate } from "../iso-date.js";

const name = z.string().min(1).max(LIMITS.nameBytes);
const isoDate = storableIsoDate();

/** The generic deploy body of contract §2, with the bounds of shared/bounds.ts. */
export const deployBody = z.object({
  id: z.string().min(1).max(200),
  repository: z.string().regex(GITHUB_REPO, "must be owner/repo"),
  environment: name,
  status: z.enum(["queued", "started", "succeeded", "failed", "cancelled"]),
  sha: z.string().regex(/^[0-9a-f]{40}$/i, "must be a 40-hex SHA"),
  ref: name.optional(),
  url: z.url().max(LIMITS.urlBytes).optional(),
  started_at: isoDate.optional(),
  finished_at: isoDate.optional(),
  service: name.optional(),
});

export type DeployBody = z.infer<typeof deployBody>;
