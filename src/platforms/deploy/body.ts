import { z } from "zod";

/** The generic deploy body of SPEC §2. */
export const deployBody = z.object({
  id: z.string().min(1),
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must be owner/repo"),
  environment: z.string().min(1),
  status: z.enum(["queued", "started", "succeeded", "failed", "cancelled"]),
  sha: z.string().regex(/^[0-9a-f]{40}$/i, "must be a 40-hex SHA"),
  ref: z.string().optional(),
  url: z.url().optional(),
  started_at: z.iso.datetime({ offset: true }).optional(),
  finished_at: z.iso.datetime({ offset: true }).optional(),
  service: z.string().optional(),
});

export type DeployBody = z.infer<typeof deployBody>;
