import type { Delivery, DeploymentRow, NormalizedEvent } from "../shared/event.js";
import { commitKeyIfSha, repoKey, uniqueKeys } from "../shared/keys.js";

/**
 * A deploy sender's unified event (Argo CD, Vercel, Netlify, CircleCI): no actor; its keys, as the generic deploy
 * body's, the repository, the deploy, the deployed commit (GitHub's keys for a GitHub repository, GitLab's for a
 * `gitlab:` one); its deploy row when it has one. The repository and SHA are the row's unless given (an event
 * without a row still names them).
 */
export function deployEvent(
  d: Delivery,
  o: {
    subject: string | null;
    occurredAt: Date;
    payload: unknown;
    deployment?: DeploymentRow;
    repository?: string | null;
    sha?: string | null;
  },
): NormalizedEvent {
  const repository = o.repository ?? o.deployment?.repository ?? null;
  const sha = o.sha ?? o.deployment?.sha ?? null;
  return {
    type: d.type,
    occurredAt: o.occurredAt,
    actor: null,
    subject: o.subject,
    keys: uniqueKeys(repository && repoKey(repository), o.subject, repository && commitKeyIfSha(repository, sha)),
    payload: o.payload,
    rows: o.deployment ? { deployment: o.deployment } : {},
  };
}
