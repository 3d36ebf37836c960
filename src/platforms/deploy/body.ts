import { z } from "zod";
import { GITHUB_REPO, LIMITS } from "../../shared/bounds.js";

const name = z.string().min(1).max(LIMITS.nameBytes);
/** Years PostgreSQL can hold (shared/time.ts storableDate): year 0 and six-digit years are refused here. */
const isoDate = z.iso
  .datetime({ offset: true })
  .refine((s) => /^\d{4}-/.test(s) && !s.startsWith("0000"), "must be a date between years 1 and 9999");

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
